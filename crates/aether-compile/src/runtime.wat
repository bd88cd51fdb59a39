;; The runtime library of compiled visual scripts.
;;
;; Every module the visual-script compiler emits starts with these functions and globals, copied
;; verbatim (same indices), followed by one function per graph node and the contract's exports.
;; It holds everything a graph needs that does not depend on the graph:
;;
;; * a postcard decoder for `TacticalState` (schema v1) that checks every read against the end of
;;   the input and returns a negative code for malformed input instead of trapping;
;; * the script's working copy of the state, in memory the module grows for itself;
;; * the game rules (`mc_tactical_types::rules::apply`) over that copy, so an action the rules
;;   refuse is not sent, exactly as the reference interpreter decides;
;; * the queries behind the node catalog (nearest enemy, move search, nearest hidden tile...);
;; * the language's PRNG (SplitMix64, as `interp::Rng`);
;; * a postcard encoder for `Vec<Action>` that returns -2 instead of overflowing `out_cap`.
;;
;; The reference interpreter (`interp.rs`) defines what every function here must compute; the
;; differential test in `tests/compile.rs` holds the two to byte-identical replies.
;;
;; No function traps: every load and store stays inside memory this module sized itself, divisions
;; check their divisor, and loops are bounded by the input's size.
;;
;; Return codes of `decide_turn` besides the reply length:
;;   -1  the state is malformed (bad postcard, tile count not width*height, a unit off the map,
;;       two units with one id, trailing bytes);
;;   -2  the reply does not fit in `out_cap`;
;;   -3  the working copy does not fit in the 16 MiB memory cap;
;;   -4  the state's schema is not version 1.
;;
;; Page 0 belongs to the module: 16..24 the identity cells (written by the compiler), 32..64 a
;; scratch unit record for sorting, 64..104 scratch records for the decoder's counting pass,
;; 128.. the identity string. Everything else lives in pages `$rt_begin` grows.
;;
;; Values: Number and Bool are i32 (Bool 0 or 1); a Unit is a handle, the index of its record
;; plus one, 0 for none; a Position is x | y << 16.
;;
;; Unit record (32 bytes), sorted by id:
;;   0 id u32 | 4 x u16 | 6 y u16 | 8 hp u16 | 10 max_hp u16 | 12 attack u16 | 14 defense u16
;;   16 owner u8 | 17 kind u8 | 18 range u8 | 19 moves u8 | 20 sight u8 | 21 fortified u8
;;   22 alive u8 | 23 moved u8 | 24 acted u8
;; Player record (4 bytes): 0 slot u8 | 1 alive u8 | 2 mana u16
;; Action record (12 bytes): 0 tag u8 | 1 spell u8 | 4 unit id u32 | 8 target id or position
;;
;; Fuel bounds (`bound.rs`, which reads them from this file): every loop says how many rounds
;; it can run on its line (`trips:` each time it is entered, `total:` over one call of its
;; function, `turn:` over the whole turn), every memory.fill and memory.copy its length
;; (`bytes:`), in terms of the state the turn is played on: U units (O the script's own, E the
;; others), W x H = T tiles, P players, M / R / A the most moves / range / moves + range of any
;; unit, S the farthest sight of the script's units. $reserve copies nothing: the working area is
;; always the last thing in memory once it exists (only $reserve grows memory), so it grows in
;; place. These run at most once a turn (a flag that only $rt_begin clears guards each):
;; @once-per-turn $nf_build $erows_build
(module
  (memory 1)

  ;; Input cursor.
  (global $in_start (mut i32) (i32.const 0))
  (global $in (mut i32) (i32.const 0))
  (global $in_end (mut i32) (i32.const 0))
  ;; Set by a failed read or write.
  (global $bad (mut i32) (i32.const 0))
  (global $slot (mut i32) (i32.const 0))
  (global $rng (mut i64) (i64.const 0))
  ;; Nesting of graph nodes; the compiled nodes check it against interp::MAX_DEPTH.
  (global $depth (mut i32) (i32.const 0))
  ;; The pages this module grew for its working copy, kept between turns.
  (global $heap (mut i32) (i32.const 0))
  (global $heap_len (mut i32) (i32.const 0))
  (global $w (mut i32) (i32.const 0))
  ;; The state's turn (the round being played).
  (global $turn (mut i32) (i32.const 0))
  (global $h (mut i32) (i32.const 0))
  (global $tiles (mut i32) (i32.const 0))
  (global $units (mut i32) (i32.const 0))
  (global $n_units (mut i32) (i32.const 0))
  (global $players (mut i32) (i32.const 0))
  (global $n_players (mut i32) (i32.const 0))
  (global $acts (mut i32) (i32.const 0))
  (global $n_acts (mut i32) (i32.const 0))
  (global $costs (mut i32) (i32.const 0))
  (global $seen (mut i32) (i32.const 0))
  ;; The spatial index: buckets of 8 x 8 tiles, $gw x $gh of them from $grid, each the handle of
  ;; its first unit (0: none); a unit record's offset 28 holds the next handle in its bucket.
  (global $grid (mut i32) (i32.const 0))
  (global $gw (mut i32) (i32.const 0))
  (global $gh (mut i32) (i32.const 0))
  ;; Living units by owner (256 counters of 4 bytes), all living units, the script's own, units
  ;; that arrived with 0 hp (still alive until the first burial), the script's units' best sight.
  (global $owners (mut i32) (i32.const 0))
  (global $alive_all (mut i32) (i32.const 0))
  (global $alive_mine (mut i32) (i32.const 0))
  (global $zombies (mut i32) (i32.const 0))
  (global $max_sight (mut i32) (i32.const 0))
  ;; The largest moves + range of any unit (how far Is In Danger must look).
  (global $max_reach (mut i32) (i32.const 0))
  ;; The script's enemies by row, built at the first Nearest Enemy of a turn (they do not move
  ;; in the script's turn): $elist holds their handles sorted by row, column and id; row $y is
  ;; $elist[$ey[$y - 1] .. $ey[$y]) ($ey[-1] = 0). $ex and $etmp are the sort's scratch.
  (global $erows_ok (mut i32) (i32.const 0))
  (global $ex (mut i32) (i32.const 0))
  (global $ey (mut i32) (i32.const 0))
  (global $etmp (mut i32) (i32.const 0))
  (global $elist (mut i32) (i32.const 0))
  ;; The nearest-enemy field: for every tile, (distance << 32 | handle) of the script's nearest
  ;; enemy (ties: lowest id), from a two-pass city-block distance transform, built at the first
  ;; Nearest Enemy of a turn when the script has many units for the map's size. $nf_cap: the map
  ;; is small enough to have one (8 bytes a tile, at most 4 MiB).
  (global $nf (mut i32) (i32.const 0))
  (global $nf_cap (mut i32) (i32.const 0))
  (global $nf_ok (mut i32) (i32.const 0))
  ;; Whether the decoder read the units' ids in strictly rising order.
  (global $ids_sorted (mut i32) (i32.const 0))
  ;; Whether $seen matches the current positions of the script's units.
  (global $seen_ok (mut i32) (i32.const 0))
  (global $out (mut i32) (i32.const 0))
  (global $out_end (mut i32) (i32.const 0))
  ;; The window of the last move search: origin, size, move points.
  (global $wx0 (mut i32) (i32.const 0))
  (global $wy0 (mut i32) (i32.const 0))
  (global $ww (mut i32) (i32.const 0))
  (global $wh (mut i32) (i32.const 0))
  (global $wm (mut i32) (i32.const 0))

  (export "depth" (global $depth))
  (export "rt_begin" (func $rt_begin))
  (export "rt_finish" (func $rt_finish))
  (export "rt_live" (func $rt_live))
  (export "rt_stat" (func $rt_stat))
  (export "rt_pos" (func $rt_pos))
  (export "rt_kind_is" (func $rt_kind_is))
  (export "rt_nearest_enemy" (func $rt_nearest_enemy))
  (export "rt_weakest_in_range" (func $rt_weakest_in_range))
  (export "rt_count" (func $rt_count))
  (export "rt_count_near" (func $rt_count_near))
  (export "rt_weakest_friend" (func $rt_weakest_friend))
  (export "rt_in_danger" (func $rt_in_danger))
  (export "rt_best_tile" (func $rt_best_tile))
  (export "rt_next_unit" (func $rt_next_unit))
  (export "rt_distance" (func $dist))
  (export "rt_map_centre" (func $rt_map_centre))
  (export "rt_turn" (func $rt_turn))
  (export "rt_terrain_is" (func $rt_terrain_is))
  (export "rt_nearest_hidden" (func $rt_nearest_hidden))
  (export "rt_random" (func $rt_random))
  (export "rt_div" (func $rt_div))
  (export "rt_attack" (func $rt_attack))
  (export "rt_move" (func $rt_move))
  (export "rt_fortify" (func $rt_fortify))
  (export "rt_cast" (func $rt_cast))

  ;; ---------------------------------------------------------------- decoding

  (func $byte (result i32)
    (local $b i32)
    (if (i32.ge_u (global.get $in) (global.get $in_end))
      (then (global.set $bad (i32.const 1)) (return (i32.const 0))))
    (local.set $b (i32.load8_u (global.get $in)))
    (global.set $in (i32.add (global.get $in) (i32.const 1)))
    (local.get $b))

  ;; A postcard varint of at most $max bytes whose last byte may be at most $last (postcard's
  ;; own limits: u16 takes 3 bytes ending at most 0x03, u32 5 bytes ending at most 0x0f).
  (func $varint (param $max i32) (param $last i32) (result i32)
    (local $i i32) (local $b i32) (local $out i32)
    (loop $next ;; trips: 5
      (local.set $b (call $byte))
      (if (global.get $bad) (then (return (i32.const 0))))
      (local.set $out
        (i32.or (local.get $out)
          (i32.shl (i32.and (local.get $b) (i32.const 0x7f))
                   (i32.mul (local.get $i) (i32.const 7)))))
      (if (i32.eqz (i32.and (local.get $b) (i32.const 0x80)))
        (then
          (if (i32.and (i32.eq (local.get $i) (i32.sub (local.get $max) (i32.const 1)))
                       (i32.gt_u (local.get $b) (local.get $last)))
            (then (global.set $bad (i32.const 1))))
          (return (local.get $out))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $max))))
    (global.set $bad (i32.const 1))
    (i32.const 0))

  (func $u16 (result i32) (call $varint (i32.const 3) (i32.const 0x03)))
  (func $u32 (result i32) (call $varint (i32.const 5) (i32.const 0x0f)))

  (func $bool (result i32)
    (local $b i32)
    (local.set $b (call $byte))
    (if (i32.gt_u (local.get $b) (i32.const 1)) (then (global.set $bad (i32.const 1))))
    (local.get $b))

  ;; An enum's variant index, which must be below $count.
  (func $variant (param $count i32) (result i32)
    (local $v i32)
    (local.set $v (call $u32))
    (if (i32.ge_u (local.get $v) (local.get $count)) (then (global.set $bad (i32.const 1))))
    (local.get $v))

  ;; The rest of a unit record after its id, field by field from $in (the slow path: any
  ;; varint length, every read checked against the end of the input).
  (func $unit_rest (param $a i32)
    (i32.store8 offset=16 (local.get $a) (call $byte))
    (i32.store8 offset=17 (local.get $a) (call $variant (i32.const 5)))
    (i32.store16 offset=4 (local.get $a) (call $u16))
    (i32.store16 offset=6 (local.get $a) (call $u16))
    (i32.store16 offset=8 (local.get $a) (call $u16))
    (i32.store16 offset=10 (local.get $a) (call $u16))
    (i32.store16 offset=12 (local.get $a) (call $u16))
    (i32.store16 offset=14 (local.get $a) (call $u16))
    (i32.store8 offset=18 (local.get $a) (call $byte))
    (i32.store8 offset=19 (local.get $a) (call $byte))
    (i32.store8 offset=20 (local.get $a) (call $byte))
    (i32.store8 offset=21 (local.get $a) (call $bool)))

  ;; Makes the working area at least $need bytes: grows it in place when it is the last thing
  ;; in memory, else takes fresh pages at the end and moves what it held there. Page-aligned;
  ;; 0, or -3 when the 16 MiB cap (or the host) refuses the pages.
  (func $reserve (param $need i64) (result i32)
    (local $pages i32) (local $old i32)
    (if (i64.gt_u (local.get $need) (i64.const 16777216)) (then (return (i32.const -3))))
    (if (i64.le_u (local.get $need) (i64.extend_i32_u (global.get $heap_len)))
      (then (return (i32.const 0))))
    (if (i32.and (i32.ne (global.get $heap_len) (i32.const 0))
                 (i32.eq (i32.add (global.get $heap) (global.get $heap_len))
                         (i32.shl (memory.size) (i32.const 16))))
      (then
        (local.set $pages
          (i32.wrap_i64
            (i64.shr_u
              (i64.add (i64.sub (local.get $need) (i64.extend_i32_u (global.get $heap_len)))
                       (i64.const 65535))
              (i64.const 16))))
        (if (i32.eq (memory.grow (local.get $pages)) (i32.const -1))
          (then (return (i32.const -3))))
        (global.set $heap_len
          (i32.add (global.get $heap_len) (i32.shl (local.get $pages) (i32.const 16))))
        (return (i32.const 0))))
    (local.set $pages
      (i32.wrap_i64 (i64.shr_u (i64.add (local.get $need) (i64.const 65535)) (i64.const 16))))
    (local.set $old (memory.grow (local.get $pages)))
    (if (i32.eq (local.get $old) (i32.const -1)) (then (return (i32.const -3))))
    (memory.copy (i32.shl (local.get $old) (i32.const 16)) (global.get $heap) ;; bytes: 0
                 (global.get $heap_len))
    (global.set $heap (i32.shl (local.get $old) (i32.const 16)))
    (global.set $heap_len (i32.shl (local.get $pages) (i32.const 16)))
    (i32.const 0))

  ;; Reads the whole state in one pass into the working area: tiles, units, players, then the
  ;; areas the turn works in (actions, the move search window, the sight map). Tiles are one
  ;; byte each when every variant is written in one byte (as postcard writes them): checked 64
  ;; bytes at a time with SIMD and copied in bulk; otherwise read one by one. A unit whose
  ;; varint fields are one byte each (and whose id is read inline) is read at fixed offsets;
  ;; any other unit field by field. 0, or -1 / -3 / -4.
  (func $decode (result i32)
    (local $i i32) (local $n i32) (local $a i32) (local $schema i32) (local $p i32)
    (local $end i32) (local $b i32) (local $r i32) (local $cells i64) (local $window i64)
    (local $four v128) (local $any v128) (local $nu i64) (local $prev i32) (local $sorted i32)
    (global.set $in (global.get $in_start))
    (global.set $bad (i32.const 0))
    (local.set $schema (call $u16))
    (if (global.get $bad) (then (return (i32.const -1))))
    (if (i32.ne (local.get $schema) (i32.const 1)) (then (return (i32.const -4))))
    (global.set $turn (call $u32))
    (global.set $w (call $u16))
    (global.set $h (call $u16))
    (local.set $n (call $u32))
    (if (global.get $bad) (then (return (i32.const -1))))
    (if (i64.ne (i64.extend_i32_u (local.get $n))
                (i64.mul (i64.extend_i32_u (global.get $w)) (i64.extend_i32_u (global.get $h))))
      (then (return (i32.const -1))))
    ;; Every tile takes a byte at least.
    (local.set $end (global.get $in_end))
    (if (i32.gt_u (local.get $n) (i32.sub (local.get $end) (global.get $in)))
      (then (return (i32.const -1))))
    (local.set $cells (call $align8 (i64.extend_i32_u (local.get $n))))
    (local.set $r (call $reserve (local.get $cells)))
    (if (local.get $r) (then (return (local.get $r))))
    (global.set $tiles (global.get $heap))
    ;; Tiles: all below 5, in bulk.
    (local.set $p (global.get $in))
    (local.set $four (i8x16.splat (i32.const 4)))
    (local.set $i (i32.const 0))
    (local.set $any (v128.const i64x2 0 0))
    (block $done
      (loop $by64 ;; trips: T/64+1
        (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 64)) (local.get $n)))
        (local.set $a (i32.add (local.get $p) (local.get $i)))
        (local.set $any
          (v128.or (local.get $any)
            (v128.or
              (v128.or (i8x16.gt_u (v128.load offset=0 (local.get $a)) (local.get $four))
                       (i8x16.gt_u (v128.load offset=16 (local.get $a)) (local.get $four)))
              (v128.or (i8x16.gt_u (v128.load offset=32 (local.get $a)) (local.get $four))
                       (i8x16.gt_u (v128.load offset=48 (local.get $a)) (local.get $four))))))
        (local.set $i (i32.add (local.get $i) (i32.const 64)))
        (br $by64)))
    (block $done
      (loop $by1 ;; trips: 65
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.gt_u (i32.load8_u (i32.add (local.get $p) (local.get $i))) (i32.const 4))
          (then (local.set $any (v128.const i64x2 -1 -1)) (br $done)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $by1)))
    (if (v128.any_true (local.get $any))
      (then
        ;; Some tile is not one plain byte: read them one by one.
        (local.set $i (i32.const 0))
        (block $end
          (loop $next ;; trips: T+1
            (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
            (i32.store8 (i32.add (global.get $tiles) (local.get $i)) (call $variant (i32.const 5)))
            (if (global.get $bad) (then (return (i32.const -1))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next))))
      (else
        (memory.copy (global.get $tiles) (local.get $p) (local.get $n)) ;; bytes: T
        (global.set $in (i32.add (local.get $p) (local.get $n)))))
    ;; Units: the count, then every unit in its 32-byte record. A unit takes 13 bytes at least.
    (local.set $n (call $u32))
    (if (global.get $bad) (then (return (i32.const -1))))
    (local.set $nu (i64.extend_i32_u (local.get $n)))
    (if (i64.gt_u (i64.mul (local.get $nu) (i64.const 13))
                  (i64.extend_i32_u (i32.sub (local.get $end) (global.get $in))))
      (then (return (i32.const -1))))
    (global.set $n_units (local.get $n))
    (local.set $r
      (call $reserve (i64.add (local.get $cells) (i64.shl (local.get $nu) (i64.const 5)))))
    (if (local.get $r) (then (return (local.get $r))))
    (global.set $tiles (global.get $heap))
    (global.set $units (i32.add (global.get $tiles) (i32.wrap_i64 (local.get $cells))))
    (local.set $p (global.get $in))
    (local.set $a (global.get $units))
    (local.set $i (i32.const 0))
    (local.set $sorted (i32.const 1))
    (block $end
      (loop $next ;; trips: U+1
        (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
        ;; The id: one or two bytes inline, else the varint reader.
        (if (i32.ge_u (i32.add (local.get $p) (i32.const 1)) (local.get $end))
          (then (return (i32.const -1))))
        (local.set $b (i32.load8_u (local.get $p)))
        (if (i32.lt_u (local.get $b) (i32.const 0x80))
          (then (local.set $p (i32.add (local.get $p) (i32.const 1))))
          (else
            (if (i32.lt_u (i32.load8_u offset=1 (local.get $p)) (i32.const 0x80))
              (then
                (local.set $b
                  (i32.or (i32.and (local.get $b) (i32.const 0x7f))
                          (i32.shl (i32.load8_u offset=1 (local.get $p)) (i32.const 7))))
                (local.set $p (i32.add (local.get $p) (i32.const 2))))
              (else
                (global.set $in (local.get $p))
                (local.set $b (call $u32))
                (if (global.get $bad) (then (return (i32.const -1))))
                (local.set $p (global.get $in))))))
        (i32.store offset=0 (local.get $a) (local.get $b))
        ;; Whether the ids so far rise strictly (then they need no sorting nor duplicate check).
        (if (i32.and (i32.ne (local.get $i) (i32.const 0))
                     (i32.le_u (local.get $b) (local.get $prev)))
          (then (local.set $sorted (i32.const 0))))
        (local.set $prev (local.get $b))
        ;; The rest: owner, kind, x, y, hp, max hp, attack, defense, range, moves, sight,
        ;; fortified. Fixed offsets when 16 bytes remain and the seven varints are one byte each.
        (if (i32.and
              (i32.le_u (i32.add (local.get $p) (i32.const 16)) (local.get $end))
              (i32.eqz (i32.and (i8x16.bitmask (v128.load (local.get $p))) (i32.const 0xfe))))
          (then
            (i32.store8 offset=16 (local.get $a) (i32.load8_u offset=0 (local.get $p)))
            (i32.store8 offset=17 (local.get $a) (i32.load8_u offset=1 (local.get $p)))
            (i32.store16 offset=4 (local.get $a) (i32.load8_u offset=2 (local.get $p)))
            (i32.store16 offset=6 (local.get $a) (i32.load8_u offset=3 (local.get $p)))
            (i32.store16 offset=8 (local.get $a) (i32.load8_u offset=4 (local.get $p)))
            (i32.store16 offset=10 (local.get $a) (i32.load8_u offset=5 (local.get $p)))
            (i32.store16 offset=12 (local.get $a) (i32.load8_u offset=6 (local.get $p)))
            (i32.store16 offset=14 (local.get $a) (i32.load8_u offset=7 (local.get $p)))
            (i32.store8 offset=18 (local.get $a) (i32.load8_u offset=8 (local.get $p)))
            (i32.store8 offset=19 (local.get $a) (i32.load8_u offset=9 (local.get $p)))
            (i32.store8 offset=20 (local.get $a) (i32.load8_u offset=10 (local.get $p)))
            (i32.store8 offset=21 (local.get $a) (i32.load8_u offset=11 (local.get $p)))
            (local.set $p (i32.add (local.get $p) (i32.const 12))))
          (else
            (global.set $in (local.get $p))
            (call $unit_rest (local.get $a))
            (if (global.get $bad) (then (return (i32.const -1))))
            (local.set $p (global.get $in))))
        ;; alive 1, moved 0, acted 0.
        (i32.store16 offset=22 (local.get $a) (i32.const 1))
        (i32.store8 offset=24 (local.get $a) (i32.const 0))
        ;; A kind postcard knows, a bool that is 0 or 1, a tile on the map.
        (if (i32.or
              (i32.or (i32.gt_u (i32.load8_u offset=17 (local.get $a)) (i32.const 4))
                      (i32.gt_u (i32.load8_u offset=21 (local.get $a)) (i32.const 1)))
              (i32.or (i32.ge_u (i32.load16_u offset=4 (local.get $a)) (global.get $w))
                      (i32.ge_u (i32.load16_u offset=6 (local.get $a)) (global.get $h))))
          (then (return (i32.const -1))))
        (local.set $a (i32.add (local.get $a) (i32.const 32)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    ;; Players (slot, mana, alive: 3 bytes at least), after the units.
    (global.set $in (local.get $p))
    (local.set $n (call $u32))
    (if (global.get $bad) (then (return (i32.const -1))))
    (if (i64.gt_u (i64.mul (i64.extend_i32_u (local.get $n)) (i64.const 3))
                  (i64.extend_i32_u (i32.sub (local.get $end) (global.get $in))))
      (then (return (i32.const -1))))
    (global.set $n_players (local.get $n))
    (local.set $cells (i64.add (local.get $cells) (i64.shl (local.get $nu) (i64.const 5))))
    (local.set $r
      (call $reserve
        (i64.add (local.get $cells)
                 (call $align8 (i64.mul (i64.extend_i32_u (local.get $n)) (i64.const 4))))))
    (if (local.get $r) (then (return (local.get $r))))
    (global.set $tiles (global.get $heap))
    (global.set $units (i32.add (global.get $tiles)
                                (i32.wrap_i64 (call $align8 (i64.mul (i64.extend_i32_u (global.get $w))
                                                                     (i64.extend_i32_u (global.get $h)))))))
    (global.set $players (i32.add (global.get $heap) (i32.wrap_i64 (local.get $cells))))
    (local.set $i (i32.const 0))
    (block $end
      (loop $next ;; trips: P+1
        (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $a (i32.add (global.get $players) (i32.shl (local.get $i) (i32.const 2))))
        (i32.store8 offset=0 (local.get $a) (call $byte))
        (i32.store16 offset=2 (local.get $a) (call $u16))
        (i32.store8 offset=1 (local.get $a) (call $bool))
        (if (global.get $bad) (then (return (i32.const -1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (if (i32.ne (global.get $in) (global.get $in_end)) (then (return (i32.const -1))))
    ;; The turn's areas: actions (each unit moves and acts at most once), the move search
    ;; window (at most 511 x 511 costs), the sight map.
    (local.set $cells
      (i64.add (local.get $cells)
               (call $align8 (i64.mul (i64.extend_i32_u (local.get $n)) (i64.const 4)))))
    (global.set $acts (i32.add (global.get $heap) (i32.wrap_i64 (local.get $cells))))
    (local.set $cells
      (i64.add (local.get $cells)
               (call $align8 (i64.mul (i64.add (i64.mul (local.get $nu) (i64.const 2))
                                               (i64.const 1))
                                      (i64.const 12)))))
    (local.set $window
      (call $align8
        (i64.mul (i64.const 2)
          (i64.mul
            (i64.extend_i32_u (select (global.get $w) (i32.const 511)
                                      (i32.lt_u (global.get $w) (i32.const 511))))
            (i64.extend_i32_u (select (global.get $h) (i32.const 511)
                                      (i32.lt_u (global.get $h) (i32.const 511))))))))
    (global.set $gw (i32.shr_u (i32.add (global.get $w) (i32.const 7)) (i32.const 3)))
    (global.set $gh (i32.shr_u (i32.add (global.get $h) (i32.const 7)) (i32.const 3)))
    (local.set $r
      (call $reserve
        (i64.add
          (i64.add (i64.add (local.get $cells) (local.get $window))
                   (call $align8 (i64.mul (i64.extend_i32_u (global.get $w))
                                          (i64.extend_i32_u (global.get $h)))))
          (i64.add
            (i64.add (call $align8 (i64.shl (i64.mul (i64.extend_i32_u (global.get $gw))
                                                     (i64.extend_i32_u (global.get $gh)))
                                            (i64.const 2)))
                     (i64.const 1024))
            ;; The enemies' row index: columns and rows counted, two lists of handles.
            (i64.add
              (i64.add (i64.add (call $align8 (i64.shl (i64.add (i64.extend_i32_u (global.get $w))
                                                       (i64.const 1))
                                              (i64.const 2)))
                                ;; The nearest-enemy field, when the map allows one.
                                (select (i64.shl (i64.mul (i64.extend_i32_u (global.get $w))
                                                          (i64.extend_i32_u (global.get $h)))
                                                 (i64.const 3))
                                        (i64.const 0)
                                        (i64.le_u (i64.mul (i64.extend_i32_u (global.get $w))
                                                           (i64.extend_i32_u (global.get $h)))
                                                  (i64.const 524288))))
                       (call $align8 (i64.shl (i64.add (i64.extend_i32_u (global.get $h))
                                                       (i64.const 1))
                                              (i64.const 2))))
              (i64.shl (call $align8 (i64.shl (local.get $nu) (i64.const 2))) (i64.const 1)))))))
    (if (local.get $r) (then (return (local.get $r))))
    ;; $reserve may have moved the area: every pointer from $heap.
    (global.set $tiles (global.get $heap))
    (global.set $units (i32.add (global.get $tiles)
                                (i32.wrap_i64 (call $align8 (i64.mul (i64.extend_i32_u (global.get $w))
                                                                     (i64.extend_i32_u (global.get $h)))))))
    (global.set $players
      (i32.add (global.get $units) (i32.shl (global.get $n_units) (i32.const 5))))
    (global.set $acts
      (i32.add (global.get $players)
        (i32.wrap_i64 (call $align8 (i64.mul (i64.extend_i32_u (global.get $n_players))
                                             (i64.const 4))))))
    (global.set $costs
      (i32.add (global.get $heap) (i32.wrap_i64 (local.get $cells))))
    (global.set $seen (i32.add (global.get $costs) (i32.wrap_i64 (local.get $window))))
    (global.set $grid
      (i32.add (global.get $seen)
               (i32.wrap_i64 (call $align8 (i64.mul (i64.extend_i32_u (global.get $w))
                                                    (i64.extend_i32_u (global.get $h)))))))
    (global.set $owners
      (i32.add (global.get $grid)
               (i32.wrap_i64 (call $align8 (i64.shl (i64.mul (i64.extend_i32_u (global.get $gw))
                                                             (i64.extend_i32_u (global.get $gh)))
                                                    (i64.const 2))))))
    (global.set $ex (i32.add (global.get $owners) (i32.const 1024)))
    (global.set $ey
      (i32.add (global.get $ex)
               (i32.wrap_i64 (call $align8 (i64.shl (i64.add (i64.extend_i32_u (global.get $w))
                                                             (i64.const 1))
                                                    (i64.const 2))))))
    (global.set $etmp
      (i32.add (global.get $ey)
               (i32.wrap_i64 (call $align8 (i64.shl (i64.add (i64.extend_i32_u (global.get $h))
                                                             (i64.const 1))
                                                    (i64.const 2))))))
    (global.set $elist
      (i32.add (global.get $etmp)
               (i32.wrap_i64 (call $align8 (i64.shl (local.get $nu) (i64.const 2))))))
    (global.set $nf
      (i32.add (global.get $elist)
               (i32.wrap_i64 (call $align8 (i64.shl (local.get $nu) (i64.const 2))))))
    (global.set $nf_cap
      (i64.le_u (i64.mul (i64.extend_i32_u (global.get $w)) (i64.extend_i32_u (global.get $h)))
                (i64.const 524288)))
    (global.set $ids_sorted (local.get $sorted))
    (i32.const 0))

  ;; Sorts the unit records by id (insertion sort: states usually arrive sorted) and refuses two
  ;; units with one id.
  (func $sort_units (result i32)
    (local $i i32) (local $j i32) (local $id i32) (local $a i32)
    (local.set $i (i32.const 1))
    (block $done
      (loop $outer ;; trips: U+1
        (br_if $done (i32.ge_u (local.get $i) (global.get $n_units)))
        (local.set $a (call $at (local.get $i)))
        (local.set $id (i32.load (local.get $a)))
        (if (i32.gt_u (i32.load (i32.sub (local.get $a) (i32.const 32))) (local.get $id))
          (then
            (memory.copy (i32.const 32) (local.get $a) (i32.const 32)) ;; bytes: 32
            (local.set $j (local.get $i))
            (block $placed
              (loop $shift ;; trips: U+1
                (br_if $placed (i32.eqz (local.get $j)))
                (br_if $placed
                  (i32.le_u (i32.load (call $at (i32.sub (local.get $j) (i32.const 1))))
                            (local.get $id)))
                (memory.copy (call $at (local.get $j)) ;; bytes: 32
                             (call $at (i32.sub (local.get $j) (i32.const 1)))
                             (i32.const 32))
                (local.set $j (i32.sub (local.get $j) (i32.const 1)))
                (br $shift)))
            (memory.copy (call $at (local.get $j)) (i32.const 32) (i32.const 32)))) ;; bytes: 32
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (local.set $i (i32.const 1))
    (block $done
      (loop $next ;; trips: U+1
        (br_if $done (i32.ge_u (local.get $i) (global.get $n_units)))
        (if (i32.eq (i32.load (call $at (local.get $i)))
                    (i32.load (call $at (i32.sub (local.get $i) (i32.const 1)))))
          (then (return (i32.const -1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  (func $align8 (param $n i64) (result i64)
    (i64.and (i64.add (local.get $n) (i64.const 7)) (i64.const -8)))

  ;; Starts a turn: decodes the state at $ptr into the working copy. 0, or a negative code.
  (func $rt_begin (param $ptr i32) (param $len i32) (param $slot i32) (param $seed i64)
                  (result i32)
    (local $r i32)
    (global.set $slot (i32.and (local.get $slot) (i32.const 0xff)))
    (global.set $rng (local.get $seed))
    (global.set $depth (i32.const 0))
    (global.set $n_acts (i32.const 0))
    (global.set $seen_ok (i32.const 0))
    (if (i32.or (i32.lt_s (local.get $len) (i32.const 0))
                (i64.gt_u (i64.add (i64.extend_i32_u (local.get $ptr))
                                   (i64.extend_i32_u (local.get $len)))
                          (i64.shl (i64.extend_i32_u (memory.size)) (i64.const 16))))
      (then (return (i32.const -1))))
    (global.set $in_start (local.get $ptr))
    (global.set $in_end (i32.add (local.get $ptr) (local.get $len)))
    (local.set $r (call $decode))
    (if (local.get $r) (then (return (local.get $r))))
    (if (i32.eqz (global.get $ids_sorted))
      (then
        (local.set $r (call $sort_units))
        (if (local.get $r) (then (return (local.get $r))))))
    (call $grid_build)
    (global.set $erows_ok (i32.const 0))
    (global.set $nf_ok (i32.const 0))
    (i32.const 0))

  ;; Builds the nearest-enemy field: each enemy's tile gets (0, its handle), the lowest handle
  ;; where several share a tile; then a forward pass (from the west and north neighbours) and a
  ;; backward pass (east and south) give every tile the least (distance, handle) over all
  ;; enemies, exactly: a shortest city-block path can always take its east/south leg first.
  (func $nf_build
    (local $i i32) (local $a i32) (local $t i32) (local $x i32) (local $y i32) (local $k i64)
    (local $n i64) (local $cells i32)
    (local.set $cells (i32.mul (global.get $w) (global.get $h)))
    (memory.fill (global.get $nf) (i32.const 0x7f) (i32.shl (local.get $cells) (i32.const 3))) ;; bytes: 8*T
    (block $done
      (loop $next ;; trips: U+1
        (br_if $done (i32.ge_u (local.get $i) (global.get $n_units)))
        (local.set $a (call $at (local.get $i)))
        (if (i32.and (i32.load8_u offset=22 (local.get $a))
                     (i32.ne (i32.load8_u offset=16 (local.get $a)) (global.get $slot)))
          (then
            (local.set $t
              (i32.add (global.get $nf)
                       (i32.shl (i32.add (i32.mul (i32.load16_u offset=6 (local.get $a)) (global.get $w))
                                         (i32.load16_u offset=4 (local.get $a)))
                                (i32.const 3))))
            (local.set $k (i64.extend_i32_u (i32.add (local.get $i) (i32.const 1))))
            (if (i64.lt_u (local.get $k) (i64.load (local.get $t)))
              (then (i64.store (local.get $t) (local.get $k))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    ;; Forward.
    (local.set $t (global.get $nf))
    (local.set $y (i32.const 0))
    (block $rows_done
      (loop $row ;; trips: H+1
        (br_if $rows_done (i32.ge_u (local.get $y) (global.get $h)))
        (local.set $x (i32.const 0))
        (block $cols_done
          (loop $col ;; trips: W+1
            (br_if $cols_done (i32.ge_u (local.get $x) (global.get $w)))
            (local.set $k (i64.load (local.get $t)))
            (if (local.get $x)
              (then
                (local.set $n (i64.add (i64.load (i32.sub (local.get $t) (i32.const 8)))
                                       (i64.const 0x100000000)))
                (if (i64.lt_u (local.get $n) (local.get $k)) (then (local.set $k (local.get $n))))))
            (if (local.get $y)
              (then
                (local.set $n (i64.add (i64.load (i32.sub (local.get $t)
                                                          (i32.shl (global.get $w) (i32.const 3))))
                                       (i64.const 0x100000000)))
                (if (i64.lt_u (local.get $n) (local.get $k)) (then (local.set $k (local.get $n))))))
            (i64.store (local.get $t) (local.get $k))
            (local.set $t (i32.add (local.get $t) (i32.const 8)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $col)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $row)))
    ;; Backward.
    (local.set $y (global.get $h))
    (block $rows_done
      (loop $row ;; trips: H+1
        (br_if $rows_done (i32.eqz (local.get $y)))
        (local.set $y (i32.sub (local.get $y) (i32.const 1)))
        (local.set $x (global.get $w))
        (block $cols_done
          (loop $col ;; trips: W+1
            (br_if $cols_done (i32.eqz (local.get $x)))
            (local.set $x (i32.sub (local.get $x) (i32.const 1)))
            (local.set $t (i32.sub (local.get $t) (i32.const 8)))
            (local.set $k (i64.load (local.get $t)))
            (if (i32.lt_u (i32.add (local.get $x) (i32.const 1)) (global.get $w))
              (then
                (local.set $n (i64.add (i64.load offset=8 (local.get $t)) (i64.const 0x100000000)))
                (if (i64.lt_u (local.get $n) (local.get $k)) (then (local.set $k (local.get $n))))))
            (if (i32.lt_u (i32.add (local.get $y) (i32.const 1)) (global.get $h))
              (then
                (local.set $n (i64.add (i64.load (i32.add (local.get $t)
                                                          (i32.shl (global.get $w) (i32.const 3))))
                                       (i64.const 0x100000000)))
                (if (i64.lt_u (local.get $n) (local.get $k)) (then (local.set $k (local.get $n))))))
            (i64.store (local.get $t) (local.get $k))
            (br $col)))
        (br $row)))
    (global.set $nf_ok (i32.const 1)))

  ;; Builds the enemies' row index: a counting sort of the script's enemies by column, then a
  ;; stable one by row, so each row lists them by column, then id.
  (func $erows_build
    (local $i i32) (local $a i32) (local $c i32) (local $k i32) (local $sum i32) (local $n i32)
    (local $t i32)
    (memory.fill (global.get $ex) (i32.const 0) (i32.shl (i32.add (global.get $w) (i32.const 1)) ;; bytes: 4*W+4
                                                         (i32.const 2)))
    (memory.fill (global.get $ey) (i32.const 0) (i32.shl (i32.add (global.get $h) (i32.const 1)) ;; bytes: 4*H+4
                                                         (i32.const 2)))
    ;; Count by column (at column + 1) and by row.
    (block $done
      (loop $next ;; trips: U+1
        (br_if $done (i32.ge_u (local.get $i) (global.get $n_units)))
        (local.set $a (call $at (local.get $i)))
        (if (i32.ne (i32.load8_u offset=16 (local.get $a)) (global.get $slot))
          (then
            (local.set $c (i32.add (global.get $ex)
                                   (i32.shl (i32.load16_u offset=4 (local.get $a)) (i32.const 2))))
            (i32.store offset=4 (local.get $c) (i32.add (i32.load offset=4 (local.get $c)) (i32.const 1)))
            (local.set $c (i32.add (global.get $ey)
                                   (i32.shl (i32.load16_u offset=6 (local.get $a)) (i32.const 2))))
            (i32.store offset=4 (local.get $c) (i32.add (i32.load offset=4 (local.get $c)) (i32.const 1)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    ;; Starts: $ex[x] = enemies in columns before x; $ey[y] = enemies in rows before y.
    (local.set $k (i32.const 0))
    (local.set $sum (i32.const 0))
    (block $done
      (loop $next ;; trips: W+2
        (br_if $done (i32.gt_u (local.get $k) (global.get $w)))
        (local.set $c (i32.add (global.get $ex) (i32.shl (local.get $k) (i32.const 2))))
        (local.set $sum (i32.add (local.get $sum) (i32.load (local.get $c))))
        (i32.store (local.get $c) (local.get $sum))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next)))
    (local.set $k (i32.const 0))
    (local.set $sum (i32.const 0))
    (block $done
      (loop $next ;; trips: H+2
        (br_if $done (i32.gt_u (local.get $k) (global.get $h)))
        (local.set $c (i32.add (global.get $ey) (i32.shl (local.get $k) (i32.const 2))))
        (local.set $sum (i32.add (local.get $sum) (i32.load (local.get $c))))
        (i32.store (local.get $c) (local.get $sum))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next)))
    ;; By column into $etmp (ids rising within a column), then by row into $elist.
    (local.set $i (i32.const 0))
    (block $done
      (loop $next ;; trips: U+1
        (br_if $done (i32.ge_u (local.get $i) (global.get $n_units)))
        (local.set $a (call $at (local.get $i)))
        (if (i32.ne (i32.load8_u offset=16 (local.get $a)) (global.get $slot))
          (then
            (local.set $c (i32.add (global.get $ex)
                                   (i32.shl (i32.load16_u offset=4 (local.get $a)) (i32.const 2))))
            (local.set $t (i32.load (local.get $c)))
            (i32.store (local.get $c) (i32.add (local.get $t) (i32.const 1)))
            (i32.store (i32.add (global.get $etmp) (i32.shl (local.get $t) (i32.const 2)))
                       (i32.add (local.get $i) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $next ;; trips: E+1
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $k (i32.load (i32.add (global.get $etmp) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $c (i32.add (global.get $ey)
                               (i32.shl (i32.load16_u offset=6 (call $addr (local.get $k)))
                                        (i32.const 2))))
        (local.set $t (i32.load (local.get $c)))
        (i32.store (local.get $c) (i32.add (local.get $t) (i32.const 1)))
        (i32.store (i32.add (global.get $elist) (i32.shl (local.get $t) (i32.const 2)))
                   (local.get $k))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    ;; Now $ey[y] is the end of row y (the start of row y + 1).
    (global.set $erows_ok (i32.const 1)))

  ;; Nearest Enemy for a unit of the script's own: rows outward from its row, and in each row a
  ;; binary search for its column, then the nearest living enemy on either side.
  (func $nearest_by_rows (param $a i32) (result i32)
    (local $ux i32) (local $uy i32) (local $k i32) (local $y i32) (local $s i32) (local $e i32)
    (local $lo i32) (local $hi i32) (local $mid i32) (local $j i32) (local $hd i32) (local $c i32)
    (local $x i32) (local $d i32) (local $bd i32) (local $best i32) (local $side i32) (local $f i64)
    (local.set $ux (i32.load16_u offset=4 (local.get $a)))
    (local.set $uy (i32.load16_u offset=6 (local.get $a)))
    ;; Many units for the map's size: the field answers each in one read, while its enemy lives
    ;; (enemies only die during the turn, so a living nearest enemy stays the nearest).
    (if (i32.and (global.get $nf_cap)
                 (i32.ge_u (i32.shl (global.get $alive_mine) (i32.const 5))
                           (i32.mul (global.get $w) (global.get $h))))
      (then
        (if (i32.eqz (global.get $nf_ok)) (then (call $nf_build)))
        (local.set $f
          (i64.load (i32.add (global.get $nf)
                             (i32.shl (i32.add (i32.mul (local.get $uy) (global.get $w))
                                               (local.get $ux))
                                      (i32.const 3)))))
        ;; No enemy at all when the field was built: none now either.
        (if (i64.ge_u (local.get $f) (i64.const 0x7f00000000000000))
          (then (return (i32.const 0))))
        (local.set $hd (i32.wrap_i64 (local.get $f)))
        (if (i32.load8_u offset=22 (call $addr (local.get $hd)))
          (then (return (local.get $hd))))))
    (if (i32.eqz (global.get $erows_ok)) (then (call $erows_build)))
    (local.set $bd (i32.const -1))
    (block $found
      (loop $rows ;; trips: H+2
        (br_if $found (i32.gt_u (local.get $k) (local.get $bd)))
        (br_if $found (i32.and (i32.lt_s (i32.sub (local.get $uy) (local.get $k)) (i32.const 0))
                               (i32.ge_s (i32.add (local.get $uy) (local.get $k)) (global.get $h))))
        ;; The row above ($side 0), then the row below ($side 1; the same row when $k is 0).
        (local.set $side (i32.const 0))
        (block $sides_done
          (loop $sides ;; trips: 3
            (br_if $sides_done (i32.gt_u (local.get $side) (i32.const 1)))
            (local.set $y (select (i32.sub (local.get $uy) (local.get $k))
                                  (i32.add (local.get $uy) (local.get $k))
                                  (i32.eqz (local.get $side))))
            (if (i32.and (i32.and (i32.ge_s (local.get $y) (i32.const 0))
                                  (i32.lt_s (local.get $y) (global.get $h)))
                         (i32.or (i32.eqz (local.get $side)) (i32.ne (local.get $k) (i32.const 0))))
              (then
                (local.set $s
                  (select (i32.const 0)
                          (i32.load (i32.add (global.get $ey)
                                             (i32.shl (i32.sub (local.get $y) (i32.const 1))
                                                      (i32.const 2))))
                          (i32.eqz (local.get $y))))
                (local.set $e
                  (i32.load (i32.add (global.get $ey) (i32.shl (local.get $y) (i32.const 2)))))
                ;; First entry at or east of the unit's column.
                (local.set $lo (local.get $s))
                (local.set $hi (local.get $e))
                (block $bs_done
                  (loop $bs ;; trips: log(E)+2
                    (br_if $bs_done (i32.ge_u (local.get $lo) (local.get $hi)))
                    (local.set $mid (i32.shr_u (i32.add (local.get $lo) (local.get $hi)) (i32.const 1)))
                    (if (i32.lt_u
                          (i32.load16_u offset=4
                            (call $addr (i32.load (i32.add (global.get $elist)
                                                           (i32.shl (local.get $mid) (i32.const 2))))))
                          (local.get $ux))
                      (then (local.set $lo (i32.add (local.get $mid) (i32.const 1))))
                      (else (local.set $hi (local.get $mid))))
                    (br $bs)))
                ;; East: the first living enemy, then every one in that column.
                (local.set $j (local.get $lo))
                (local.set $x (i32.const -1))
                (block $east_done
                  (loop $east ;; total: E+2*H+4
                    (br_if $east_done (i32.ge_u (local.get $j) (local.get $e)))
                    (local.set $hd (i32.load (i32.add (global.get $elist)
                                                      (i32.shl (local.get $j) (i32.const 2)))))
                    (local.set $c (call $addr (local.get $hd)))
                    (br_if $east_done
                      (i32.and (i32.ne (local.get $x) (i32.const -1))
                               (i32.ne (i32.load16_u offset=4 (local.get $c)) (local.get $x))))
                    (if (i32.load8_u offset=22 (local.get $c))
                      (then
                        (local.set $x (i32.load16_u offset=4 (local.get $c)))
                        (local.set $d (i32.add (local.get $k)
                                               (i32.sub (local.get $x) (local.get $ux))))
                        (if (i32.or (i32.lt_u (local.get $d) (local.get $bd))
                                    (i32.and (i32.eq (local.get $d) (local.get $bd))
                                             (i32.lt_u (local.get $hd) (local.get $best))))
                          (then
                            (local.set $bd (local.get $d))
                            (local.set $best (local.get $hd))))))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $east)))
                ;; West, the same way.
                (local.set $j (local.get $lo))
                (local.set $x (i32.const -1))
                (block $west_done
                  (loop $west ;; total: E+2*H+4
                    (br_if $west_done (i32.le_u (local.get $j) (local.get $s)))
                    (local.set $j (i32.sub (local.get $j) (i32.const 1)))
                    (local.set $hd (i32.load (i32.add (global.get $elist)
                                                      (i32.shl (local.get $j) (i32.const 2)))))
                    (local.set $c (call $addr (local.get $hd)))
                    (br_if $west_done
                      (i32.and (i32.ne (local.get $x) (i32.const -1))
                               (i32.ne (i32.load16_u offset=4 (local.get $c)) (local.get $x))))
                    (if (i32.load8_u offset=22 (local.get $c))
                      (then
                        (local.set $x (i32.load16_u offset=4 (local.get $c)))
                        (local.set $d (i32.add (local.get $k)
                                               (i32.sub (local.get $ux) (local.get $x))))
                        (if (i32.or (i32.lt_u (local.get $d) (local.get $bd))
                                    (i32.and (i32.eq (local.get $d) (local.get $bd))
                                             (i32.lt_u (local.get $hd) (local.get $best))))
                          (then
                            (local.set $bd (local.get $d))
                            (local.set $best (local.get $hd))))))
                    (br $west)))))
            (local.set $side (i32.add (local.get $side) (i32.const 1)))
            (br $sides)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $rows)))
    (local.get $best))

  ;; ---------------------------------------------------------------- the spatial index

  ;; The address of the bucket holding tile ($x, $y).
  (func $bucket (param $x i32) (param $y i32) (result i32)
    (i32.add (global.get $grid)
             (i32.shl (i32.add (i32.mul (i32.shr_u (local.get $y) (i32.const 3)) (global.get $gw))
                               (i32.shr_u (local.get $x) (i32.const 3)))
                      (i32.const 2))))

  ;; Files every unit in its bucket (each bucket in id order) and counts the living.
  (func $grid_build
    (local $i i32) (local $a i32) (local $b i32) (local $o i32)
    (memory.fill (global.get $grid) (i32.const 0) ;; bytes: 4*(W/8+1)*(H/8+1)
                 (i32.shl (i32.mul (global.get $gw) (global.get $gh)) (i32.const 2)))
    (memory.fill (global.get $owners) (i32.const 0) (i32.const 1024)) ;; bytes: 1024
    (global.set $alive_all (global.get $n_units))
    (global.set $alive_mine (i32.const 0))
    (global.set $zombies (i32.const 0))
    (global.set $max_sight (i32.const 0))
    (global.set $max_reach (i32.const 0))
    (local.set $i (global.get $n_units))
    (block $done
      (loop $next ;; trips: U+1
        (br_if $done (i32.eqz (local.get $i)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (local.set $a (call $at (local.get $i)))
        (local.set $b (call $bucket (i32.load16_u offset=4 (local.get $a))
                                    (i32.load16_u offset=6 (local.get $a))))
        (i32.store offset=28 (local.get $a) (i32.load (local.get $b)))
        (i32.store (local.get $b) (i32.add (local.get $i) (i32.const 1)))
        (local.set $o (i32.add (global.get $owners)
                               (i32.shl (i32.load8_u offset=16 (local.get $a)) (i32.const 2))))
        (i32.store (local.get $o) (i32.add (i32.load (local.get $o)) (i32.const 1)))
        (if (i32.eq (i32.load8_u offset=16 (local.get $a)) (global.get $slot))
          (then
            (global.set $alive_mine (i32.add (global.get $alive_mine) (i32.const 1)))
            (if (i32.gt_u (i32.load8_u offset=20 (local.get $a)) (global.get $max_sight))
              (then (global.set $max_sight (i32.load8_u offset=20 (local.get $a)))))))
        (if (i32.eqz (i32.load16_u offset=8 (local.get $a)))
          (then (global.set $zombies (i32.add (global.get $zombies) (i32.const 1)))))
        (local.set $o (i32.add (i32.load8_u offset=19 (local.get $a))
                               (i32.load8_u offset=18 (local.get $a))))
        (if (i32.gt_u (local.get $o) (global.get $max_reach))
          (then (global.set $max_reach (local.get $o))))
        (br $next))))

  ;; Moves handle $u (record $a) from the bucket of $from to that of $to.
  (func $grid_move (param $u i32) (param $a i32) (param $from i32) (param $to i32)
    (local $ob i32) (local $nb i32) (local $cur i32) (local $c i32)
    (local.set $ob (call $bucket (i32.and (local.get $from) (i32.const 0xffff))
                                 (i32.shr_u (local.get $from) (i32.const 16))))
    (local.set $nb (call $bucket (i32.and (local.get $to) (i32.const 0xffff))
                                 (i32.shr_u (local.get $to) (i32.const 16))))
    (if (i32.eq (local.get $ob) (local.get $nb)) (then (return)))
    (local.set $cur (i32.load (local.get $ob)))
    (if (i32.eq (local.get $cur) (local.get $u))
      (then (i32.store (local.get $ob) (i32.load offset=28 (local.get $a))))
      (else
        (block $done
          (loop $next ;; trips: U+1
            (br_if $done (i32.eqz (local.get $cur)))
            (local.set $c (call $addr (local.get $cur)))
            (local.set $cur (i32.load offset=28 (local.get $c)))
            (if (i32.eq (local.get $cur) (local.get $u))
              (then
                (i32.store offset=28 (local.get $c) (i32.load offset=28 (local.get $a)))
                (br $done)))
            (br $next)))))
    (i32.store offset=28 (local.get $a) (i32.load (local.get $nb)))
    (i32.store (local.get $nb) (local.get $u)))

  ;; The bucket columns or rows covering tiles $lo - $r to $lo + $r, clamped to a map of $size
  ;; tiles: (first bucket) | (last bucket) << 16.
  (func $span (param $p i32) (param $r i32) (param $size i32) (result i32)
    (local $lo i32) (local $hi i32)
    (local.set $lo (i32.sub (local.get $p) (local.get $r)))
    (if (i32.lt_s (local.get $lo) (i32.const 0)) (then (local.set $lo (i32.const 0))))
    (local.set $hi (i32.add (local.get $p) (local.get $r)))
    (if (i32.ge_s (local.get $hi) (local.get $size))
      (then (local.set $hi (i32.sub (local.get $size) (i32.const 1)))))
    (i32.or (i32.shr_u (local.get $lo) (i32.const 3))
            (i32.shl (i32.shr_u (local.get $hi) (i32.const 3)) (i32.const 16))))

  ;; A unit that reached 0 hp leaves the working copy (rules::hurt), and the counts follow.
  (func $die_if_dead (param $a i32)
    (local $o i32)
    (if (i32.or (i32.eqz (i32.load8_u offset=22 (local.get $a)))
                (i32.load16_u offset=8 (local.get $a)))
      (then (return)))
    (i32.store8 offset=22 (local.get $a) (i32.const 0))
    (local.set $o (i32.add (global.get $owners)
                           (i32.shl (i32.load8_u offset=16 (local.get $a)) (i32.const 2))))
    (i32.store (local.get $o) (i32.sub (i32.load (local.get $o)) (i32.const 1)))
    (global.set $alive_all (i32.sub (global.get $alive_all) (i32.const 1)))
    (if (i32.eq (i32.load8_u offset=16 (local.get $a)) (global.get $slot))
      (then
        (global.set $alive_mine (i32.sub (global.get $alive_mine) (i32.const 1)))
        (global.set $seen_ok (i32.const 0)))))

  ;; ---------------------------------------------------------------- encoding

  (func $put (param $b i32)
    (if (i32.ge_u (global.get $out) (global.get $out_end))
      (then (global.set $bad (i32.const 1)) (return)))
    (i32.store8 (global.get $out) (local.get $b))
    (global.set $out (i32.add (global.get $out) (i32.const 1))))

  (func $put_varint (param $v i32)
    (block $done
      (loop $more ;; trips: 5
        (br_if $done (i32.lt_u (local.get $v) (i32.const 0x80)))
        (call $put (i32.or (i32.and (local.get $v) (i32.const 0x7f)) (i32.const 0x80)))
        (local.set $v (i32.shr_u (local.get $v) (i32.const 7)))
        (br $more)))
    (call $put (local.get $v)))

  ;; Writes the actions sent this turn as postcard `Vec<Action>`; the length, or -2.
  (func $rt_finish (param $ptr i32) (param $cap i32) (result i32)
    (local $i i32) (local $a i32) (local $tag i32)
    (if (i32.or (i32.lt_s (local.get $cap) (i32.const 0))
                (i64.gt_u (i64.add (i64.extend_i32_u (local.get $ptr))
                                   (i64.extend_i32_u (local.get $cap)))
                          (i64.shl (i64.extend_i32_u (memory.size)) (i64.const 16))))
      (then (return (i32.const -2))))
    (global.set $out (local.get $ptr))
    (global.set $out_end (i32.add (local.get $ptr) (local.get $cap)))
    (global.set $bad (i32.const 0))
    (call $put_varint (global.get $n_acts))
    (block $done
      (loop $next ;; trips: 2*O+1
        (br_if $done (i32.ge_u (local.get $i) (global.get $n_acts)))
        (local.set $a (i32.add (global.get $acts) (i32.mul (local.get $i) (i32.const 12))))
        (local.set $tag (i32.load8_u (local.get $a)))
        (call $put_varint (local.get $tag))
        (call $put_varint (i32.load offset=4 (local.get $a)))
        (if (i32.eq (local.get $tag) (i32.const 2))
          (then (call $put_varint (i32.load8_u offset=1 (local.get $a)))))
        (if (i32.eq (local.get $tag) (i32.const 1))
          (then (call $put_varint (i32.load offset=8 (local.get $a)))))
        (if (i32.or (i32.eqz (local.get $tag)) (i32.eq (local.get $tag) (i32.const 2)))
          (then
            (call $put_varint (i32.load16_u offset=8 (local.get $a)))
            (call $put_varint (i32.load16_u offset=10 (local.get $a)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (if (global.get $bad) (then (return (i32.const -2))))
    (i32.sub (global.get $out) (local.get $ptr)))

  ;; ---------------------------------------------------------------- units and the map

  ;; The record of unit index $i.
  (func $at (param $i i32) (result i32)
    (i32.add (global.get $units) (i32.shl (local.get $i) (i32.const 5))))

  ;; The record of handle $u (callers check it first with $rt_live).
  (func $addr (param $u i32) (result i32)
    (call $at (i32.sub (local.get $u) (i32.const 1))))

  ;; Whether handle $u names a unit still alive in the working copy.
  (func $rt_live (param $u i32) (result i32)
    (if (i32.ge_u (i32.sub (local.get $u) (i32.const 1)) (global.get $n_units))
      (then (return (i32.const 0))))
    (i32.load8_u offset=22 (call $addr (local.get $u))))

  ;; Statistic $k of unit $u: 0 hp, 1 max hp, 2 attack, 3 range; 0 for none.
  (func $rt_stat (param $u i32) (param $k i32) (result i32)
    (local $a i32)
    (if (i32.eqz (call $rt_live (local.get $u))) (then (return (i32.const 0))))
    (local.set $a (call $addr (local.get $u)))
    (if (i32.eq (local.get $k) (i32.const 3))
      (then (return (i32.load8_u offset=18 (local.get $a)))))
    (i32.load16_u offset=8 (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 1)))))

  ;; The position of $u; -1 (none, `interp::NO_POSITION`) when it is not a living unit.
  (func $rt_pos (param $u i32) (result i32)
    (if (i32.eqz (call $rt_live (local.get $u))) (then (return (i32.const -1))))
    (i32.load offset=4 (call $addr (local.get $u))))

  (func $rt_kind_is (param $u i32) (param $kind i32) (result i32)
    (if (i32.eqz (call $rt_live (local.get $u))) (then (return (i32.const 0))))
    (i32.eq (i32.load8_u offset=17 (call $addr (local.get $u))) (local.get $kind)))

  (func $abs (param $v i32) (result i32)
    (select (local.get $v) (i32.sub (i32.const 0) (local.get $v))
            (i32.ge_s (local.get $v) (i32.const 0))))

  ;; Manhattan distance between two positions.
  (func $dist (param $a i32) (param $b i32) (result i32)
    (local $dx i32) (local $dy i32)
    (local.set $dx (i32.sub (i32.and (local.get $a) (i32.const 0xffff))
                            (i32.and (local.get $b) (i32.const 0xffff))))
    (local.set $dy (i32.sub (i32.shr_u (local.get $a) (i32.const 16))
                            (i32.shr_u (local.get $b) (i32.const 16))))
    (i32.add
      (select (local.get $dx) (i32.sub (i32.const 0) (local.get $dx))
              (i32.ge_s (local.get $dx) (i32.const 0)))
      (select (local.get $dy) (i32.sub (i32.const 0) (local.get $dy))
              (i32.ge_s (local.get $dy) (i32.const 0)))))

  ;; The terrain at position $p (0 plains .. 4 mountain), -1 off the map.
  (func $terrain (param $p i32) (result i32)
    (local $x i32) (local $y i32)
    (local.set $x (i32.and (local.get $p) (i32.const 0xffff)))
    (local.set $y (i32.shr_u (local.get $p) (i32.const 16)))
    (if (i32.or (i32.ge_u (local.get $x) (global.get $w)) (i32.ge_u (local.get $y) (global.get $h)))
      (then (return (i32.const -1))))
    (i32.load8_u (i32.add (global.get $tiles)
                          (i32.add (i32.mul (local.get $y) (global.get $w)) (local.get $x)))))

  (func $rt_terrain_is (param $p i32) (param $t i32) (result i32)
    (i32.eq (call $terrain (local.get $p)) (local.get $t)))

  (func $rt_turn (result i32) (global.get $turn))

  (func $rt_map_centre (result i32)
    (i32.or (i32.shr_u (global.get $w) (i32.const 1))
            (i32.shl (i32.shr_u (global.get $h) (i32.const 1)) (i32.const 16))))

  ;; Whether a unit with owner $owner is selected by $which: 0 mine, 1 enemies, 2 all.
  (func $selects (param $which i32) (param $owner i32) (result i32)
    (if (i32.eq (local.get $which) (i32.const 2)) (then (return (i32.const 1))))
    (if (i32.eq (local.get $which) (i32.const 1))
      (then (return (i32.ne (local.get $owner) (global.get $slot)))))
    (i32.eq (local.get $owner) (global.get $slot)))

  (func $rt_count (param $which i32) (result i32)
    (if (i32.eq (local.get $which) (i32.const 2)) (then (return (global.get $alive_all))))
    (if (i32.eq (local.get $which) (i32.const 1))
      (then (return (i32.sub (global.get $alive_all) (global.get $alive_mine)))))
    (global.get $alive_mine))

  ;; Count Enemies Near: living units of other players within $within of tile $p; 0 for no tile
  ;; or a negative distance. Only the buckets the distance reaches are searched.
  (func $rt_count_near (param $p i32) (param $within i32) (result i32)
    (local $c i32) (local $cur i32) (local $xs i32) (local $ys i32) (local $bx i32) (local $by i32)
    (local $n i32)
    (if (i32.or (i32.eq (local.get $p) (i32.const -1)) (i32.lt_s (local.get $within) (i32.const 0)))
      (then (return (i32.const 0))))
    ;; No two tiles are farther apart than this.
    (if (i32.gt_u (local.get $within) (i32.const 0x1ffff))
      (then (local.set $within (i32.const 0x1ffff))))
    (local.set $xs (call $span (i32.and (local.get $p) (i32.const 0xffff)) (local.get $within)
                               (global.get $w)))
    (local.set $ys (call $span (i32.shr_u (local.get $p) (i32.const 16)) (local.get $within)
                               (global.get $h)))
    (local.set $by (i32.and (local.get $ys) (i32.const 0xffff)))
    (block $rows_done
      (loop $row ;; trips: H/8+2
        (br_if $rows_done (i32.gt_u (local.get $by) (i32.shr_u (local.get $ys) (i32.const 16))))
        (local.set $bx (i32.and (local.get $xs) (i32.const 0xffff)))
        (block $cols_done
          (loop $col ;; trips: W/8+2
            (br_if $cols_done (i32.gt_u (local.get $bx) (i32.shr_u (local.get $xs) (i32.const 16))))
            (local.set $cur
              (i32.load (i32.add (global.get $grid)
                                 (i32.shl (i32.add (i32.mul (local.get $by) (global.get $gw))
                                                   (local.get $bx))
                                          (i32.const 2)))))
            (block $list_done
              (loop $list ;; total: U+(W/8+2)*(H/8+2)
                (br_if $list_done (i32.eqz (local.get $cur)))
                (local.set $c (call $addr (local.get $cur)))
                (if (i32.and (i32.load8_u offset=22 (local.get $c))
                             (i32.ne (i32.load8_u offset=16 (local.get $c)) (global.get $slot)))
                  (then
                    (if (i32.le_u (call $dist (local.get $p) (i32.load offset=4 (local.get $c)))
                                  (local.get $within))
                      (then (local.set $n (i32.add (local.get $n) (i32.const 1)))))))
                (local.set $cur (i32.load offset=28 (local.get $c)))
                (br $list)))
            (local.set $bx (i32.add (local.get $bx) (i32.const 1)))
            (br $col)))
        (local.set $by (i32.add (local.get $by) (i32.const 1)))
        (br $row)))
    (local.get $n))

  ;; Weakest Friend Near: the living unit of $u's owner, not $u, within $within of it, with the
  ;; least hp (ties: lowest id); 0 for none.
  (func $rt_weakest_friend (param $u i32) (param $within i32) (result i32)
    (local $a i32) (local $c i32) (local $cur i32) (local $best i32) (local $bh i32) (local $hp i32)
    (local $pos i32) (local $owner i32) (local $xs i32) (local $ys i32) (local $bx i32) (local $by i32)
    (if (i32.eqz (call $rt_live (local.get $u))) (then (return (i32.const 0))))
    (if (i32.lt_s (local.get $within) (i32.const 0)) (then (return (i32.const 0))))
    (if (i32.gt_u (local.get $within) (i32.const 0x1ffff))
      (then (local.set $within (i32.const 0x1ffff))))
    (local.set $a (call $addr (local.get $u)))
    (local.set $pos (i32.load offset=4 (local.get $a)))
    (local.set $owner (i32.load8_u offset=16 (local.get $a)))
    (local.set $xs (call $span (i32.load16_u offset=4 (local.get $a)) (local.get $within)
                               (global.get $w)))
    (local.set $ys (call $span (i32.load16_u offset=6 (local.get $a)) (local.get $within)
                               (global.get $h)))
    (local.set $bh (i32.const -1))
    (local.set $by (i32.and (local.get $ys) (i32.const 0xffff)))
    (block $rows_done
      (loop $row ;; trips: H/8+2
        (br_if $rows_done (i32.gt_u (local.get $by) (i32.shr_u (local.get $ys) (i32.const 16))))
        (local.set $bx (i32.and (local.get $xs) (i32.const 0xffff)))
        (block $cols_done
          (loop $col ;; trips: W/8+2
            (br_if $cols_done (i32.gt_u (local.get $bx) (i32.shr_u (local.get $xs) (i32.const 16))))
            (local.set $cur
              (i32.load (i32.add (global.get $grid)
                                 (i32.shl (i32.add (i32.mul (local.get $by) (global.get $gw))
                                                   (local.get $bx))
                                          (i32.const 2)))))
            (block $list_done
              (loop $list ;; total: U+(W/8+2)*(H/8+2)
                (br_if $list_done (i32.eqz (local.get $cur)))
                (local.set $c (call $addr (local.get $cur)))
                (if (i32.and (i32.and (i32.load8_u offset=22 (local.get $c))
                                      (i32.eq (i32.load8_u offset=16 (local.get $c)) (local.get $owner)))
                             (i32.ne (local.get $cur) (local.get $u)))
                  (then
                    (if (i32.le_u (call $dist (local.get $pos) (i32.load offset=4 (local.get $c)))
                                  (local.get $within))
                      (then
                        (local.set $hp (i32.load16_u offset=8 (local.get $c)))
                        (if (i32.or (i32.lt_u (local.get $hp) (local.get $bh))
                                    (i32.and (i32.eq (local.get $hp) (local.get $bh))
                                             (i32.lt_u (local.get $cur) (local.get $best))))
                          (then
                            (local.set $bh (local.get $hp))
                            (local.set $best (local.get $cur))))))))
                (local.set $cur (i32.load offset=28 (local.get $c)))
                (br $list)))
            (local.set $bx (i32.add (local.get $bx) (i32.const 1)))
            (br $col)))
        (local.set $by (i32.add (local.get $by) (i32.const 1)))
        (br $row)))
    (local.get $best))

  ;; Is In Danger: a living unit of another owner within its own moves + range of $u. Only the
  ;; buckets within the largest moves + range are searched.
  ;; Whether a living unit other than handle $u stands on $p (only $p's bucket is looked at).
  (func $taken (param $p i32) (param $u i32) (result i32)
    (local $cur i32) (local $c i32)
    (local.set $cur (i32.load (call $bucket (i32.and (local.get $p) (i32.const 0xffff))
                                            (i32.shr_u (local.get $p) (i32.const 16)))))
    (block $done
      (loop $list ;; trips: U+1
        (br_if $done (i32.eqz (local.get $cur)))
        (local.set $c (call $addr (local.get $cur)))
        (if (i32.and (i32.and (i32.load8_u offset=22 (local.get $c))
                              (i32.ne (local.get $cur) (local.get $u)))
                     (i32.eq (i32.load offset=4 (local.get $c)) (local.get $p)))
          (then (return (i32.const 1))))
        (local.set $cur (i32.load offset=28 (local.get $c)))
        (br $list)))
    (i32.const 0))

  ;; Best Tile: of the tiles within $u's moves (city-block) on the map, passable and free of
  ;; other living units, the one with the best terrain defence (forest 1, hills 2), then
  ;; nearest $toward (when given), then the first in rows then columns; -1 for no unit.
  (func $rt_best_tile (param $u i32) (param $toward i32) (result i32)
    (local $a i32) (local $x0 i32) (local $y0 i32) (local $m i32)
    (local $x i32) (local $y i32) (local $x1 i32) (local $y1 i32) (local $xa i32)
    (local $p i32) (local $t i32) (local $s i32) (local $d i32)
    (local $best i32) (local $bs i32) (local $bd i32)
    (if (i32.eqz (call $rt_live (local.get $u))) (then (return (i32.const -1))))
    (local.set $a (call $addr (local.get $u)))
    (local.set $x0 (i32.load16_u offset=4 (local.get $a)))
    (local.set $y0 (i32.load16_u offset=6 (local.get $a)))
    (local.set $m (i32.load8_u offset=19 (local.get $a)))
    (local.set $best (i32.const -1))
    (local.set $bs (i32.const -1))
    (local.set $y (select (i32.sub (local.get $y0) (local.get $m)) (i32.const 0)
                          (i32.gt_s (i32.sub (local.get $y0) (local.get $m)) (i32.const 0))))
    (local.set $y1 (i32.add (local.get $y0) (local.get $m)))
    (if (i32.ge_s (local.get $y1) (global.get $h))
      (then (local.set $y1 (i32.sub (global.get $h) (i32.const 1)))))
    (local.set $xa (select (i32.sub (local.get $x0) (local.get $m)) (i32.const 0)
                           (i32.gt_s (i32.sub (local.get $x0) (local.get $m)) (i32.const 0))))
    (local.set $x1 (i32.add (local.get $x0) (local.get $m)))
    (if (i32.ge_s (local.get $x1) (global.get $w))
      (then (local.set $x1 (i32.sub (global.get $w) (i32.const 1)))))
    (block $rows_done
      (loop $row ;; trips: min(2*M+2, H+1)
        (br_if $rows_done (i32.gt_s (local.get $y) (local.get $y1)))
        (local.set $x (local.get $xa))
        (block $cols_done
          (loop $col ;; trips: min(2*M+2, W+1)
            (br_if $cols_done (i32.gt_s (local.get $x) (local.get $x1)))
            (local.set $p (i32.or (local.get $x) (i32.shl (local.get $y) (i32.const 16))))
            (local.set $t (call $terrain (local.get $p)))
            (if (i32.and
                  (i32.and (i32.le_u (call $dist (local.get $p) (i32.load offset=4 (local.get $a)))
                                     (local.get $m))
                           (i32.lt_u (local.get $t) (i32.const 3)))
                  (i32.eqz (call $taken (local.get $p) (local.get $u))))
              (then
                ;; Plains 0, forest 1, hills 2: the defence is the terrain's number.
                (local.set $s (local.get $t))
                (local.set $d
                  (select (i32.const 0) (call $dist (local.get $p) (local.get $toward))
                          (i32.eq (local.get $toward) (i32.const -1))))
                (if (i32.or (i32.gt_s (local.get $s) (local.get $bs))
                            (i32.and (i32.eq (local.get $s) (local.get $bs))
                                     (i32.lt_u (local.get $d) (local.get $bd))))
                  (then
                    (local.set $best (local.get $p))
                    (local.set $bs (local.get $s))
                    (local.set $bd (local.get $d))))))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $col)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $row)))
    (local.get $best))

  (func $rt_in_danger (param $u i32) (result i32)
    (local $a i32) (local $c i32) (local $cur i32) (local $pos i32) (local $owner i32)
    (local $xs i32) (local $ys i32) (local $bx i32) (local $by i32)
    (if (i32.eqz (call $rt_live (local.get $u))) (then (return (i32.const 0))))
    (local.set $a (call $addr (local.get $u)))
    (local.set $pos (i32.load offset=4 (local.get $a)))
    (local.set $owner (i32.load8_u offset=16 (local.get $a)))
    (local.set $xs (call $span (i32.load16_u offset=4 (local.get $a)) (global.get $max_reach)
                               (global.get $w)))
    (local.set $ys (call $span (i32.load16_u offset=6 (local.get $a)) (global.get $max_reach)
                               (global.get $h)))
    (local.set $by (i32.and (local.get $ys) (i32.const 0xffff)))
    (block $rows_done
      (loop $row ;; trips: min(H/8+2, A/4+3)
        (br_if $rows_done (i32.gt_u (local.get $by) (i32.shr_u (local.get $ys) (i32.const 16))))
        (local.set $bx (i32.and (local.get $xs) (i32.const 0xffff)))
        (block $cols_done
          (loop $col ;; trips: min(W/8+2, A/4+3)
            (br_if $cols_done (i32.gt_u (local.get $bx) (i32.shr_u (local.get $xs) (i32.const 16))))
            (local.set $cur
              (i32.load (i32.add (global.get $grid)
                                 (i32.shl (i32.add (i32.mul (local.get $by) (global.get $gw))
                                                   (local.get $bx))
                                          (i32.const 2)))))
            (block $list_done
              (loop $list ;; total: U+min(W/8+2, A/4+3)*min(H/8+2, A/4+3)
                (br_if $list_done (i32.eqz (local.get $cur)))
                (local.set $c (call $addr (local.get $cur)))
                (if (i32.and (i32.load8_u offset=22 (local.get $c))
                             (i32.ne (i32.load8_u offset=16 (local.get $c)) (local.get $owner)))
                  (then
                    (if (i32.le_u (call $dist (local.get $pos) (i32.load offset=4 (local.get $c)))
                                  (i32.add (i32.load8_u offset=19 (local.get $c))
                                           (i32.load8_u offset=18 (local.get $c))))
                      (then (return (i32.const 1))))))
                (local.set $cur (i32.load offset=28 (local.get $c)))
                (br $list)))
            (local.set $bx (i32.add (local.get $bx) (i32.const 1)))
            (br $col)))
        (local.set $by (i32.add (local.get $by) (i32.const 1)))
        (br $row)))
    (i32.const 0))

  ;; For Each Unit: the next living unit after handle $u (0 to start) selected by $which, in id
  ;; order; 0 at the end. Units never come back to life and owners never change, so this visits
  ;; exactly the interpreter's snapshot minus the units that died meanwhile.
  (func $rt_next_unit (param $which i32) (param $u i32) (result i32)
    (local $i i32) (local $a i32)
    (local.set $i (local.get $u))
    (block $done
      (loop $next ;; trips: U+1
        (br_if $done (i32.ge_u (local.get $i) (global.get $n_units)))
        (local.set $a (call $at (local.get $i)))
        (if (i32.and (i32.load8_u offset=22 (local.get $a))
                     (call $selects (local.get $which) (i32.load8_u offset=16 (local.get $a))))
          (then (return (i32.add (local.get $i) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; The living unit of another owner nearest to $u (ties: lowest id); 0 if none. Searches the
  ;; buckets in rings around $u's bucket; ring $r lies at least 8($r - 1) + 1 tiles away, so the
  ;; search ends once the best distance found is below that.
  (func $rt_nearest_enemy (param $u i32) (result i32)
    (local $a i32) (local $c i32) (local $cur i32) (local $best i32) (local $bd i32) (local $d i32)
    (local $pos i32) (local $owner i32) (local $ubx i32) (local $uby i32) (local $r i32)
    (local $bx i32) (local $by i32) (local $step i32) (local $maxr i32)
    (if (i32.eqz (call $rt_live (local.get $u))) (then (return (i32.const 0))))
    (local.set $a (call $addr (local.get $u)))
    (local.set $pos (i32.load offset=4 (local.get $a)))
    (local.set $owner (i32.load8_u offset=16 (local.get $a)))
    ;; The script's own units: its enemies stand still this turn, searched by rows.
    (if (i32.eq (local.get $owner) (global.get $slot))
      (then (return (call $nearest_by_rows (local.get $a)))))
    (local.set $ubx (i32.shr_u (i32.load16_u offset=4 (local.get $a)) (i32.const 3)))
    (local.set $uby (i32.shr_u (i32.load16_u offset=6 (local.get $a)) (i32.const 3)))
    (local.set $maxr (select (global.get $gw) (global.get $gh)
                             (i32.gt_u (global.get $gw) (global.get $gh))))
    (local.set $bd (i32.const -1))
    (block $found
      (loop $ring ;; trips: max(W,H)/8+3
        (br_if $found (i32.gt_s (local.get $r) (local.get $maxr)))
        (br_if $found
          (i32.and (i32.gt_s (local.get $r) (i32.const 0))
                   (i32.le_u (local.get $bd)
                             (i32.shl (i32.sub (local.get $r) (i32.const 1)) (i32.const 3)))))
        (local.set $by (i32.sub (local.get $uby) (local.get $r)))
        (block $rows_done
          (loop $row ;; total: (max(W,H)/8+2)*(max(W,H)/8+3)
            (br_if $rows_done (i32.gt_s (local.get $by) (i32.add (local.get $uby) (local.get $r))))
            (if (i32.and (i32.ge_s (local.get $by) (i32.const 0))
                         (i32.lt_s (local.get $by) (global.get $gh)))
              (then
                ;; The ring's top and bottom rows whole; the rows between, their two ends.
                (local.set $step
                  (select (i32.const 1) (i32.shl (local.get $r) (i32.const 1))
                          (i32.or (i32.eqz (local.get $r))
                                  (i32.or (i32.eq (local.get $by)
                                                  (i32.sub (local.get $uby) (local.get $r)))
                                          (i32.eq (local.get $by)
                                                  (i32.add (local.get $uby) (local.get $r)))))))
                (local.set $bx (i32.sub (local.get $ubx) (local.get $r)))
                (block $cols_done
                  (loop $col ;; total: (max(W,H)/8+3)*(5*(max(W,H)/8)+9)
                    (br_if $cols_done
                      (i32.gt_s (local.get $bx) (i32.add (local.get $ubx) (local.get $r))))
                    (if (i32.and (i32.ge_s (local.get $bx) (i32.const 0))
                                 (i32.lt_s (local.get $bx) (global.get $gw)))
                      (then
                        (local.set $cur
                          (i32.load (i32.add (global.get $grid)
                                             (i32.shl (i32.add (i32.mul (local.get $by)
                                                                        (global.get $gw))
                                                               (local.get $bx))
                                                      (i32.const 2)))))
                        (block $list_done
                          (loop $list ;; total: U+(max(W,H)/8+3)*(5*(max(W,H)/8)+9)
                            (br_if $list_done (i32.eqz (local.get $cur)))
                            (local.set $c (call $addr (local.get $cur)))
                            (if (i32.and (i32.load8_u offset=22 (local.get $c))
                                         (i32.ne (i32.load8_u offset=16 (local.get $c))
                                                 (local.get $owner)))
                              (then
                                (local.set $d (call $dist (local.get $pos)
                                                          (i32.load offset=4 (local.get $c))))
                                (if (i32.or (i32.lt_u (local.get $d) (local.get $bd))
                                            (i32.and (i32.eq (local.get $d) (local.get $bd))
                                                     (i32.lt_u (local.get $cur) (local.get $best))))
                                  (then
                                    (local.set $bd (local.get $d))
                                    (local.set $best (local.get $cur))))))
                            (local.set $cur (i32.load offset=28 (local.get $c)))
                            (br $list)))))
                    (local.set $bx (i32.add (local.get $bx) (local.get $step)))
                    (br $col)))))
            (local.set $by (i32.add (local.get $by) (i32.const 1)))
            (br $row)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $ring)))
    (local.get $best))

  ;; The unit of another owner with least hp (ties: lowest id) within $u's range; 0 if none.
  ;; Only the buckets the range reaches are searched.
  (func $rt_weakest_in_range (param $u i32) (result i32)
    (local $a i32) (local $c i32) (local $cur i32) (local $best i32) (local $bh i32) (local $hp i32)
    (local $pos i32) (local $owner i32) (local $range i32) (local $xs i32) (local $ys i32)
    (local $bx i32) (local $by i32)
    (if (i32.eqz (call $rt_live (local.get $u))) (then (return (i32.const 0))))
    (local.set $a (call $addr (local.get $u)))
    (local.set $pos (i32.load offset=4 (local.get $a)))
    (local.set $owner (i32.load8_u offset=16 (local.get $a)))
    (local.set $range (i32.load8_u offset=18 (local.get $a)))
    (local.set $xs (call $span (i32.load16_u offset=4 (local.get $a)) (local.get $range)
                               (global.get $w)))
    (local.set $ys (call $span (i32.load16_u offset=6 (local.get $a)) (local.get $range)
                               (global.get $h)))
    (local.set $bh (i32.const -1))
    (local.set $by (i32.and (local.get $ys) (i32.const 0xffff)))
    (block $rows_done
      (loop $row ;; trips: min(H/8+2, R/4+3)
        (br_if $rows_done (i32.gt_u (local.get $by) (i32.shr_u (local.get $ys) (i32.const 16))))
        (local.set $bx (i32.and (local.get $xs) (i32.const 0xffff)))
        (block $cols_done
          (loop $col ;; trips: min(W/8+2, R/4+3)
            (br_if $cols_done (i32.gt_u (local.get $bx) (i32.shr_u (local.get $xs) (i32.const 16))))
            (local.set $cur
              (i32.load (i32.add (global.get $grid)
                                 (i32.shl (i32.add (i32.mul (local.get $by) (global.get $gw))
                                                   (local.get $bx))
                                          (i32.const 2)))))
            (block $list_done
              (loop $list ;; total: U+min(W/8+2, R/4+3)*min(H/8+2, R/4+3)
                (br_if $list_done (i32.eqz (local.get $cur)))
                (local.set $c (i32.add (global.get $units)
                                       (i32.shl (i32.sub (local.get $cur) (i32.const 1))
                                                (i32.const 5))))
                ;; Living enemies first; the distance only for them.
                (if (i32.and (i32.load8_u offset=22 (local.get $c))
                             (i32.ne (i32.load8_u offset=16 (local.get $c)) (local.get $owner)))
                  (then
                    (if (i32.le_u (call $dist (local.get $pos) (i32.load offset=4 (local.get $c)))
                                  (local.get $range))
                      (then
                        (local.set $hp (i32.load16_u offset=8 (local.get $c)))
                        (if (i32.or (i32.lt_u (local.get $hp) (local.get $bh))
                                    (i32.and (i32.eq (local.get $hp) (local.get $bh))
                                             (i32.lt_u (local.get $cur) (local.get $best))))
                          (then
                            (local.set $bh (local.get $hp))
                            (local.set $best (local.get $cur))))))))
                (local.set $cur (i32.load offset=28 (local.get $c)))
                (br $list)))
            (local.set $bx (i32.add (local.get $bx) (i32.const 1)))
            (br $col)))
        (local.set $by (i32.add (local.get $by) (i32.const 1)))
        (br $row)))
    (local.get $best))

  ;; Whether position $p is within the sight of a living unit of the script's player: only the
  ;; buckets within the best sight of the script's units are searched.
  (func $visible (param $p i32) (result i32)
    (local $c i32) (local $cur i32) (local $xs i32) (local $ys i32) (local $bx i32) (local $by i32)
    (local.set $xs (call $span (i32.and (local.get $p) (i32.const 0xffff)) (global.get $max_sight)
                               (global.get $w)))
    (local.set $ys (call $span (i32.shr_u (local.get $p) (i32.const 16)) (global.get $max_sight)
                               (global.get $h)))
    (local.set $by (i32.and (local.get $ys) (i32.const 0xffff)))
    (block $rows_done
      (loop $row ;; trips: min(H/8+2, S/4+3)
        (br_if $rows_done (i32.gt_u (local.get $by) (i32.shr_u (local.get $ys) (i32.const 16))))
        (local.set $bx (i32.and (local.get $xs) (i32.const 0xffff)))
        (block $cols_done
          (loop $col ;; trips: min(W/8+2, S/4+3)
            (br_if $cols_done (i32.gt_u (local.get $bx) (i32.shr_u (local.get $xs) (i32.const 16))))
            (local.set $cur
              (i32.load (i32.add (global.get $grid)
                                 (i32.shl (i32.add (i32.mul (local.get $by) (global.get $gw))
                                                   (local.get $bx))
                                          (i32.const 2)))))
            (block $list_done
              (loop $list ;; total: U+min(W/8+2, S/4+3)*min(H/8+2, S/4+3)
                (br_if $list_done (i32.eqz (local.get $cur)))
                (local.set $c (call $addr (local.get $cur)))
                (if (i32.and
                      (i32.and (i32.load8_u offset=22 (local.get $c))
                               (i32.eq (i32.load8_u offset=16 (local.get $c)) (global.get $slot)))
                      (i32.le_u (call $dist (i32.load offset=4 (local.get $c)) (local.get $p))
                                (i32.load8_u offset=20 (local.get $c))))
                  (then (return (i32.const 1))))
                (local.set $cur (i32.load offset=28 (local.get $c)))
                (br $list)))
            (local.set $bx (i32.add (local.get $bx) (i32.const 1)))
            (br $col)))
        (local.set $by (i32.add (local.get $by) (i32.const 1)))
        (br $row)))
    (i32.const 0))

  ;; Marks in $seen every tile a living unit of the script's player sees.
  (func $see
    (local $i i32) (local $a i32) (local $r i32) (local $vx i32) (local $vy i32) (local $y i32)
    (local $y1 i32) (local $reach i32) (local $x0 i32) (local $x1 i32)
    (memory.fill (global.get $seen) (i32.const 0) (i32.mul (global.get $w) (global.get $h))) ;; bytes: T
    (block $done
      (loop $next ;; trips: U+1
        (br_if $done (i32.ge_u (local.get $i) (global.get $n_units)))
        (local.set $a (call $at (local.get $i)))
        (if (i32.and (i32.load8_u offset=22 (local.get $a))
                     (i32.eq (i32.load8_u offset=16 (local.get $a)) (global.get $slot)))
          (then
            (local.set $r (i32.load8_u offset=20 (local.get $a)))
            (local.set $vx (i32.load16_u offset=4 (local.get $a)))
            (local.set $vy (i32.load16_u offset=6 (local.get $a)))
            (local.set $y (i32.sub (local.get $vy) (local.get $r)))
            (if (i32.lt_s (local.get $y) (i32.const 0)) (then (local.set $y (i32.const 0))))
            (local.set $y1 (i32.add (local.get $vy) (local.get $r)))
            (if (i32.ge_s (local.get $y1) (global.get $h))
              (then (local.set $y1 (i32.sub (global.get $h) (i32.const 1)))))
            (block $rows_done
              (loop $row ;; trips: min(2*S+2, H+1)
                (br_if $rows_done (i32.gt_s (local.get $y) (local.get $y1)))
                (local.set $reach
                  (i32.sub (local.get $r) (call $abs (i32.sub (local.get $y) (local.get $vy)))))
                (local.set $x0 (i32.sub (local.get $vx) (local.get $reach)))
                (if (i32.lt_s (local.get $x0) (i32.const 0)) (then (local.set $x0 (i32.const 0))))
                (local.set $x1 (i32.add (local.get $vx) (local.get $reach)))
                (if (i32.ge_s (local.get $x1) (global.get $w))
                  (then (local.set $x1 (i32.sub (global.get $w) (i32.const 1)))))
                (memory.fill ;; bytes: min(2*S+1, W)
                  (i32.add (global.get $seen)
                           (i32.add (i32.mul (local.get $y) (global.get $w)) (local.get $x0)))
                  (i32.const 1)
                  (i32.add (i32.sub (local.get $x1) (local.get $x0)) (i32.const 1)))
                (local.set $y (i32.add (local.get $y) (i32.const 1)))
                (br $row)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  ;; Whether the tile at ($x, $y) is on the map, passable and out of the script's sight.
  (func $hidden (param $x i32) (param $y i32) (result i32)
    (local $i i32)
    (if (i32.or (i32.ge_u (local.get $x) (global.get $w)) (i32.ge_u (local.get $y) (global.get $h)))
      (then (return (i32.const 0))))
    (local.set $i (i32.add (i32.mul (local.get $y) (global.get $w)) (local.get $x)))
    (i32.and (i32.eqz (i32.load8_u (i32.add (global.get $seen) (local.get $i))))
             (i32.lt_u (i32.load8_u (i32.add (global.get $tiles) (local.get $i))) (i32.const 3))))

  ;; The passable tile nearest to $u that the script's units cannot see (ties: north, then
  ;; west); $u's own tile if there is none; -1 (none) when $u is not a living unit. Searches rings of growing distance
  ;; around the unit, each in row-then-column order, so the first hidden tile found is the answer.
  (func $rt_nearest_hidden (param $u i32) (result i32)
    (local $a i32) (local $ux i32) (local $uy i32) (local $d i32) (local $dy i32) (local $y i32)
    (local $rest i32) (local $x i32) (local $far i32) (local $mx i32)
    (if (i32.eqz (call $rt_live (local.get $u))) (then (return (i32.const -1))))
    (if (i32.eqz (global.get $seen_ok))
      (then (call $see) (global.set $seen_ok (i32.const 1))))
    (local.set $a (call $addr (local.get $u)))
    (local.set $ux (i32.load16_u offset=4 (local.get $a)))
    (local.set $uy (i32.load16_u offset=6 (local.get $a)))
    ;; The farthest tile of the map is this far away.
    (local.set $far
      (i32.add
        (select (local.get $ux) (i32.sub (i32.sub (global.get $w) (i32.const 1)) (local.get $ux))
                (i32.gt_s (local.get $ux)
                          (i32.sub (i32.sub (global.get $w) (i32.const 1)) (local.get $ux))))
        (select (local.get $uy) (i32.sub (i32.sub (global.get $h) (i32.const 1)) (local.get $uy))
                (i32.gt_s (local.get $uy)
                          (i32.sub (i32.sub (global.get $h) (i32.const 1)) (local.get $uy))))))
    ;; The farthest column of the map is this far from the unit's.
    (local.set $mx
      (select (local.get $ux) (i32.sub (i32.sub (global.get $w) (i32.const 1)) (local.get $ux))
              (i32.gt_s (local.get $ux)
                        (i32.sub (i32.sub (global.get $w) (i32.const 1)) (local.get $ux)))))
    (block $found
      (loop $ring ;; trips: W+H
        (br_if $found (i32.gt_s (local.get $d) (local.get $far)))
        ;; Rows of the ring that lie on the map.
        (local.set $dy (i32.sub (i32.const 0) (local.get $d)))
        (if (i32.lt_s (local.get $dy) (i32.sub (i32.const 0) (local.get $uy)))
          (then (local.set $dy (i32.sub (i32.const 0) (local.get $uy)))))
        (block $ring_done
          (loop $row ;; total: T+2*(W+H)+2
            (br_if $ring_done (i32.gt_s (local.get $dy) (local.get $d)))
            (br_if $ring_done
              (i32.ge_s (i32.add (local.get $uy) (local.get $dy)) (global.get $h)))
            (local.set $y (i32.add (local.get $uy) (local.get $dy)))
            (local.set $rest (i32.sub (local.get $d) (call $abs (local.get $dy))))
            ;; Both ends off the map (west and east): so are they on every row up to the one
            ;; as far below as this is above; go there at once (the tiles looked at, and their
            ;; order, are the same, and the rows looked at are at most the map's tiles).
            (if (i32.gt_s (local.get $rest) (local.get $mx))
              (then
                (local.set $dy (i32.sub (local.get $d) (local.get $mx)))
                (br $row)))
            ;; West end of the row first, then the east end.
            (local.set $x (i32.sub (local.get $ux) (local.get $rest)))
            (if (call $hidden (local.get $x) (local.get $y))
              (then (return (i32.or (local.get $x) (i32.shl (local.get $y) (i32.const 16))))))
            (if (local.get $rest)
              (then
                (local.set $x (i32.add (local.get $ux) (local.get $rest)))
                (if (call $hidden (local.get $x) (local.get $y))
                  (then
                    (return (i32.or (local.get $x) (i32.shl (local.get $y) (i32.const 16))))))))
            (local.set $dy (i32.add (local.get $dy) (i32.const 1)))
            (br $row)))
        (local.set $d (i32.add (local.get $d) (i32.const 1)))
        (br $ring)))
    (i32.load offset=4 (local.get $a)))

  ;; ---------------------------------------------------------------- moving

  ;; Offers cost $c + the terrain's move cost to window tile ($wx, $wy).
  (func $relax (param $wx i32) (param $wy i32) (param $c i32)
    (local $t i32) (local $cost i32) (local $p i32) (local $cur i32)
    (if (i32.or (i32.ge_u (local.get $wx) (global.get $ww))
                (i32.ge_u (local.get $wy) (global.get $wh)))
      (then (return)))
    (local.set $t
      (i32.load8_u
        (i32.add (global.get $tiles)
          (i32.add (i32.mul (i32.add (local.get $wy) (global.get $wy0)) (global.get $w))
                   (i32.add (local.get $wx) (global.get $wx0))))))
    (if (i32.ge_u (local.get $t) (i32.const 3)) (then (return)))
    (local.set $cost
      (i32.add (local.get $c) (select (i32.const 1) (i32.const 2) (i32.eqz (local.get $t)))))
    (if (i32.gt_u (local.get $cost) (global.get $wm)) (then (return)))
    (local.set $p
      (i32.add (global.get $costs)
        (i32.shl (i32.add (i32.mul (local.get $wy) (global.get $ww)) (local.get $wx))
                 (i32.const 1))))
    (local.set $cur (i32.load16_u (local.get $p)))
    (if (i32.eq (local.get $cur) (i32.const 0xfffe)) (then (return)))
    (if (i32.lt_u (local.get $cost) (local.get $cur))
      (then (i32.store16 (local.get $p) (local.get $cost)))))

  ;; The tile unit $u should move to toward ($toward = 1) or away from $goal, as `interp::step`:
  ;; among the tiles it can reach this turn (cheapest paths within its move points, through
  ;; passable tiles free of other units) that are nearer to (farther from) $goal than where it
  ;; stands, the nearest (farthest), then the cheapest, then north-most, then west-most. -1 if
  ;; none. Costs come from a level-by-level Dijkstra over the window the move points span.
  (func $step (param $u i32) (param $goal i32) (param $toward i32) (result i32)
    (local $a i32) (local $b i32) (local $ux i32) (local $uy i32) (local $m i32) (local $x1 i32)
    (local $y1 i32) (local $i i32) (local $wx i32) (local $wy i32) (local $bx i32) (local $by i32)
    (local $c i32) (local $found i32) (local $prev i32) (local $cost i32) (local $p i32)
    (local $here i32) (local $d i32) (local $key i32) (local $bk i32) (local $bc i32) (local $bp i32)
    (local $xs i32) (local $ys i32) (local $gx i32) (local $gy i32) (local $cur i32)
    (local.set $a (call $addr (local.get $u)))
    (local.set $ux (i32.load16_u offset=4 (local.get $a)))
    (local.set $uy (i32.load16_u offset=6 (local.get $a)))
    (local.set $m (i32.load8_u offset=19 (local.get $a)))
    (global.set $wm (local.get $m))
    (global.set $wx0 (i32.sub (local.get $ux) (local.get $m)))
    (if (i32.lt_s (global.get $wx0) (i32.const 0)) (then (global.set $wx0 (i32.const 0))))
    (global.set $wy0 (i32.sub (local.get $uy) (local.get $m)))
    (if (i32.lt_s (global.get $wy0) (i32.const 0)) (then (global.set $wy0 (i32.const 0))))
    (local.set $x1 (i32.add (local.get $ux) (local.get $m)))
    (if (i32.ge_s (local.get $x1) (global.get $w))
      (then (local.set $x1 (i32.sub (global.get $w) (i32.const 1)))))
    (local.set $y1 (i32.add (local.get $uy) (local.get $m)))
    (if (i32.ge_s (local.get $y1) (global.get $h))
      (then (local.set $y1 (i32.sub (global.get $h) (i32.const 1)))))
    (global.set $ww (i32.add (i32.sub (local.get $x1) (global.get $wx0)) (i32.const 1)))
    (global.set $wh (i32.add (i32.sub (local.get $y1) (global.get $wy0)) (i32.const 1)))
    ;; 0xffff: not reached; 0xfffe: another unit stands there.
    (memory.fill (global.get $costs) (i32.const 0xff) ;; bytes: 2*min(2*M+1, W)*min(2*M+1, H)
                 (i32.shl (i32.mul (global.get $ww) (global.get $wh)) (i32.const 1)))
    ;; Other living units in the window block it: only the window's buckets are searched.
    (local.set $xs (call $span (local.get $ux) (local.get $m) (global.get $w)))
    (local.set $ys (call $span (local.get $uy) (local.get $m) (global.get $h)))
    (local.set $gy (i32.and (local.get $ys) (i32.const 0xffff)))
    (block $rows_done
      (loop $grow ;; trips: min(H/8+2, M/4+3)
        (br_if $rows_done (i32.gt_u (local.get $gy) (i32.shr_u (local.get $ys) (i32.const 16))))
        (local.set $gx (i32.and (local.get $xs) (i32.const 0xffff)))
        (block $cols_done
          (loop $gcol ;; trips: min(W/8+2, M/4+3)
            (br_if $cols_done (i32.gt_u (local.get $gx) (i32.shr_u (local.get $xs) (i32.const 16))))
            (local.set $cur
              (i32.load (i32.add (global.get $grid)
                                 (i32.shl (i32.add (i32.mul (local.get $gy) (global.get $gw))
                                                   (local.get $gx))
                                          (i32.const 2)))))
            (block $list_done
              (loop $list ;; total: U+min(W/8+2, M/4+3)*min(H/8+2, M/4+3)
                (br_if $list_done (i32.eqz (local.get $cur)))
                (local.set $b (call $addr (local.get $cur)))
                (local.set $bx (i32.sub (i32.load16_u offset=4 (local.get $b)) (global.get $wx0)))
                (local.set $by (i32.sub (i32.load16_u offset=6 (local.get $b)) (global.get $wy0)))
                (if (i32.and
                      (i32.and (i32.load8_u offset=22 (local.get $b))
                               (i32.ne (local.get $b) (local.get $a)))
                      (i32.and (i32.lt_u (local.get $bx) (global.get $ww))
                               (i32.lt_u (local.get $by) (global.get $wh))))
                  (then
                    (i32.store16
                      (i32.add (global.get $costs)
                        (i32.shl (i32.add (i32.mul (local.get $by) (global.get $ww)) (local.get $bx))
                                 (i32.const 1)))
                      (i32.const 0xfffe))))
                (local.set $cur (i32.load offset=28 (local.get $b)))
                (br $list)))
            (local.set $gx (i32.add (local.get $gx) (i32.const 1)))
            (br $gcol)))
        (local.set $gy (i32.add (local.get $gy) (i32.const 1)))
        (br $grow)))
    (i32.store16
      (i32.add (global.get $costs)
        (i32.shl (i32.add (i32.mul (i32.sub (local.get $uy) (global.get $wy0)) (global.get $ww))
                          (i32.sub (local.get $ux) (global.get $wx0)))
                 (i32.const 1)))
      (i32.const 0))
    ;; Settle tiles level by level: every step costs 1 or 2, so two empty levels in a row end it.
    (local.set $prev (i32.const 1))
    (block $settled
      (loop $level ;; trips: M+2
        (br_if $settled (i32.gt_u (local.get $c) (local.get $m)))
        (local.set $found (i32.const 0))
        (local.set $i (i32.const 0))
        (local.set $wy (i32.const 0))
        (block $rows_done
          (loop $row ;; trips: min(2*M+2, H+1)
            (br_if $rows_done (i32.ge_u (local.get $wy) (global.get $wh)))
            (local.set $wx (i32.const 0))
            (block $cols_done
              (loop $col ;; trips: min(2*M+2, W+1)
                (br_if $cols_done (i32.ge_u (local.get $wx) (global.get $ww)))
                (if (i32.eq (i32.load16_u (i32.add (global.get $costs) ;; total: min(2*M+1, W)*min(2*M+1, H)
                                                   (i32.shl (local.get $i) (i32.const 1))))
                            (local.get $c))
                  (then
                    (local.set $found (i32.const 1))
                    (call $relax (i32.sub (local.get $wx) (i32.const 1)) (local.get $wy)
                                 (local.get $c))
                    (call $relax (i32.add (local.get $wx) (i32.const 1)) (local.get $wy)
                                 (local.get $c))
                    (call $relax (local.get $wx) (i32.sub (local.get $wy) (i32.const 1))
                                 (local.get $c))
                    (call $relax (local.get $wx) (i32.add (local.get $wy) (i32.const 1))
                                 (local.get $c))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (local.set $wx (i32.add (local.get $wx) (i32.const 1)))
                (br $col)))
            (local.set $wy (i32.add (local.get $wy) (i32.const 1)))
            (br $row)))
        (br_if $settled (i32.eqz (i32.or (local.get $found) (local.get $prev))))
        (local.set $prev (local.get $found))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $level)))
    ;; Choose.
    (local.set $here (call $dist (i32.load offset=4 (local.get $a)) (local.get $goal)))
    (local.set $bp (i32.const -1))
    (local.set $bk (i32.const 0x7fffffff))
    (local.set $bc (i32.const 0x7fffffff))
    (local.set $i (i32.const 0))
    (local.set $wy (i32.const 0))
    (block $rows_done
      (loop $row ;; trips: min(2*M+2, H+1)
        (br_if $rows_done (i32.ge_u (local.get $wy) (global.get $wh)))
        (local.set $wx (i32.const 0))
        (block $cols_done
          (loop $col ;; trips: min(2*M+2, W+1)
            (br_if $cols_done (i32.ge_u (local.get $wx) (global.get $ww)))
            (local.set $cost
              (i32.load16_u (i32.add (global.get $costs) (i32.shl (local.get $i) (i32.const 1)))))
            (local.set $p
              (i32.or (i32.add (local.get $wx) (global.get $wx0))
                      (i32.shl (i32.add (local.get $wy) (global.get $wy0)) (i32.const 16))))
            (if (i32.and (i32.lt_u (local.get $cost) (i32.const 0xfffe))
                         (i32.ne (local.get $p) (i32.load offset=4 (local.get $a))))
              (then
                (local.set $d (call $dist (local.get $p) (local.get $goal)))
                (local.set $key
                  (select (local.get $d) (i32.sub (i32.const 0) (local.get $d))
                          (local.get $toward)))
                (if (i32.and
                      (select (i32.lt_u (local.get $d) (local.get $here))
                              (i32.gt_u (local.get $d) (local.get $here))
                              (local.get $toward))
                      (i32.or (i32.lt_s (local.get $key) (local.get $bk))
                              (i32.and (i32.eq (local.get $key) (local.get $bk))
                                       (i32.lt_u (local.get $cost) (local.get $bc)))))
                  (then
                    (local.set $bk (local.get $key))
                    (local.set $bc (local.get $cost))
                    (local.set $bp (local.get $p))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (local.set $wx (i32.add (local.get $wx) (i32.const 1)))
            (br $col)))
        (local.set $wy (i32.add (local.get $wy) (i32.const 1)))
        (br $row)))
    (local.get $bp))

  ;; ---------------------------------------------------------------- actions (rules::apply)

  ;; The record of the first player in the script's slot, or 0.
  (func $player (result i32)
    (local $i i32) (local $a i32)
    (block $done
      (loop $next ;; trips: P+1
        (br_if $done (i32.ge_u (local.get $i) (global.get $n_players)))
        (local.set $a (i32.add (global.get $players) (i32.shl (local.get $i) (i32.const 2))))
        (if (i32.eq (i32.load8_u (local.get $a)) (global.get $slot))
          (then (return (local.get $a))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; The checks every action shares: the player exists and is alive, the unit is alive, is the
  ;; player's own, and has not attacked, cast or fortified this turn.
  (func $may_act (param $u i32) (result i32)
    (local $p i32) (local $a i32)
    (local.set $p (call $player))
    (if (i32.eqz (local.get $p)) (then (return (i32.const 0))))
    (if (i32.eqz (i32.load8_u offset=1 (local.get $p))) (then (return (i32.const 0))))
    (if (i32.eqz (call $rt_live (local.get $u))) (then (return (i32.const 0))))
    (local.set $a (call $addr (local.get $u)))
    (if (i32.ne (i32.load8_u offset=16 (local.get $a)) (global.get $slot))
      (then (return (i32.const 0))))
    (i32.eqz (i32.load8_u offset=24 (local.get $a))))

  (func $record (param $tag i32) (param $spell i32) (param $unit i32) (param $arg i32)
    (local $a i32)
    (local.set $a (i32.add (global.get $acts) (i32.mul (global.get $n_acts) (i32.const 12))))
    (i32.store8 offset=0 (local.get $a) (local.get $tag))
    (i32.store8 offset=1 (local.get $a) (local.get $spell))
    (i32.store offset=4 (local.get $a) (local.get $unit))
    (i32.store offset=8 (local.get $a) (local.get $arg))
    (global.set $n_acts (i32.add (global.get $n_acts) (i32.const 1))))

  ;; After damage: units at 0 hp are removed, and living players left without units are
  ;; eliminated (rules::hurt). The wounded units were buried as they were hit ($die_if_dead);
  ;; units that arrived with 0 hp are found here, at the first burial of the turn.
  (func $bury
    (local $i i32) (local $a i32)
    (if (global.get $zombies)
      (then
        (block $done
          (loop $next ;; turn: U+1
            (br_if $done (i32.ge_u (local.get $i) (global.get $n_units)))
            (call $die_if_dead (call $at (local.get $i)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next)))
        (global.set $zombies (i32.const 0))))
    (local.set $i (i32.const 0))
    (block $done
      (loop $next ;; trips: P+1
        (br_if $done (i32.ge_u (local.get $i) (global.get $n_players)))
        (local.set $a (i32.add (global.get $players) (i32.shl (local.get $i) (i32.const 2))))
        (if (i32.and (i32.load8_u offset=1 (local.get $a))
                     (i32.eqz (i32.load (i32.add (global.get $owners)
                                                 (i32.shl (i32.load8_u (local.get $a))
                                                          (i32.const 2))))))
          (then (i32.store8 offset=1 (local.get $a) (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  ;; Takes up to $amount hp from the unit record at $a.
  (func $wound (param $a i32) (param $amount i32)
    (local $hp i32)
    (local.set $hp (i32.load16_u offset=8 (local.get $a)))
    (i32.store16 offset=8 (local.get $a)
      (i32.sub (local.get $hp)
               (select (local.get $amount) (local.get $hp)
                       (i32.lt_u (local.get $amount) (local.get $hp))))))

  (func $rt_attack (param $u i32) (param $t i32) (result i32)
    (local $a i32) (local $b i32) (local $terrain i32) (local $guard i32) (local $power i32)
    (local $dmg i32)
    (if (i32.eqz (call $may_act (local.get $u))) (then (return (i32.const 0))))
    (if (i32.eqz (call $rt_live (local.get $t))) (then (return (i32.const 0))))
    (local.set $a (call $addr (local.get $u)))
    (local.set $b (call $addr (local.get $t)))
    (if (i32.eq (i32.load8_u offset=16 (local.get $b)) (global.get $slot))
      (then (return (i32.const 0))))
    (if (i32.eqz (call $visible (i32.load offset=4 (local.get $b))))
      (then (return (i32.const 0))))
    (if (i32.gt_u (call $dist (i32.load offset=4 (local.get $a)) (i32.load offset=4 (local.get $b)))
                  (i32.load8_u offset=18 (local.get $a)))
      (then (return (i32.const 0))))
    ;; damage = max(1, attack - min(65535, defence + terrain bonus + 2 if fortified))
    (local.set $terrain (call $terrain (i32.load offset=4 (local.get $b))))
    (local.set $guard
      (i32.add (i32.load16_u offset=14 (local.get $b))
        (i32.add
          (select (local.get $terrain) (i32.const 0)
                  (i32.or (i32.eq (local.get $terrain) (i32.const 1))
                          (i32.eq (local.get $terrain) (i32.const 2))))
          (select (i32.const 2) (i32.const 0) (i32.load8_u offset=21 (local.get $b))))))
    (if (i32.gt_u (local.get $guard) (i32.const 0xffff))
      (then (local.set $guard (i32.const 0xffff))))
    (local.set $power (i32.load16_u offset=12 (local.get $a)))
    (local.set $dmg
      (select (i32.sub (local.get $power) (local.get $guard)) (i32.const 0)
              (i32.gt_u (local.get $power) (local.get $guard))))
    (if (i32.eqz (local.get $dmg)) (then (local.set $dmg (i32.const 1))))
    (i32.store8 offset=24 (local.get $a) (i32.const 1))
    (call $record (i32.const 1) (i32.const 0) (i32.load (local.get $a)) (i32.load (local.get $b)))
    (call $wound (local.get $b) (local.get $dmg))
    (call $die_if_dead (local.get $b))
    (call $bury)
    (i32.const 1))

  (func $rt_move (param $u i32) (param $goal i32) (param $toward i32) (result i32)
    (local $a i32) (local $to i32)
    ;; Toward or away from nowhere: no move.
    (if (i32.eq (local.get $goal) (i32.const -1)) (then (return (i32.const 0))))
    (if (i32.eqz (call $may_act (local.get $u))) (then (return (i32.const 0))))
    (local.set $a (call $addr (local.get $u)))
    (if (i32.load8_u offset=23 (local.get $a)) (then (return (i32.const 0))))
    (local.set $to (call $step (local.get $u) (local.get $goal) (local.get $toward)))
    (if (i32.eq (local.get $to) (i32.const -1)) (then (return (i32.const 0))))
    (call $grid_move (local.get $u) (local.get $a) (i32.load offset=4 (local.get $a)) (local.get $to))
    (i32.store offset=4 (local.get $a) (local.get $to))
    (i32.store8 offset=21 (local.get $a) (i32.const 0))
    (i32.store8 offset=23 (local.get $a) (i32.const 1))
    (global.set $seen_ok (i32.const 0))
    (call $record (i32.const 0) (i32.const 0) (i32.load (local.get $a)) (local.get $to))
    (i32.const 1))

  (func $rt_fortify (param $u i32) (result i32)
    (local $a i32)
    (if (i32.eqz (call $may_act (local.get $u))) (then (return (i32.const 0))))
    (local.set $a (call $addr (local.get $u)))
    (i32.store8 offset=21 (local.get $a) (i32.const 1))
    (i32.store8 offset=24 (local.get $a) (i32.const 1))
    (call $record (i32.const 3) (i32.const 0) (i32.load (local.get $a)) (i32.const 0))
    (i32.const 1))

  ;; $spell: 0 Fireball (3 mana, 6 damage to every unit within 1 of $at), 1 Heal (2 mana, 8 hp
  ;; up to max to the player's own units within 1 of $at).
  (func $rt_cast (param $u i32) (param $spell i32) (param $at i32) (result i32)
    (local $a i32) (local $b i32) (local $p i32) (local $cost i32) (local $mana i32) (local $i i32)
    (local $hp i32) (local $max i32) (local $xs i32) (local $ys i32) (local $gx i32) (local $gy i32)
    (local $cur i32)
    (if (i32.eqz (call $may_act (local.get $u))) (then (return (i32.const 0))))
    (local.set $a (call $addr (local.get $u)))
    (if (i32.ne (i32.load8_u offset=17 (local.get $a)) (i32.const 3)) (then (return (i32.const 0))))
    (if (i32.or (i32.ge_u (i32.and (local.get $at) (i32.const 0xffff)) (global.get $w))
                (i32.ge_u (i32.shr_u (local.get $at) (i32.const 16)) (global.get $h)))
      (then (return (i32.const 0))))
    (if (i32.gt_u (call $dist (i32.load offset=4 (local.get $a)) (local.get $at)) (i32.const 3))
      (then (return (i32.const 0))))
    (local.set $p (call $player))
    (local.set $cost (select (i32.const 2) (i32.const 3) (local.get $spell)))
    (local.set $mana (i32.load16_u offset=2 (local.get $p)))
    (if (i32.lt_u (local.get $mana) (local.get $cost)) (then (return (i32.const 0))))
    (i32.store16 offset=2 (local.get $p) (i32.sub (local.get $mana) (local.get $cost)))
    (i32.store8 offset=24 (local.get $a) (i32.const 1))
    (call $record (i32.const 2) (local.get $spell) (i32.load (local.get $a)) (local.get $at))
    ;; Every living unit within 1 of $at: only the buckets around it are searched.
    (local.set $xs (call $span (i32.and (local.get $at) (i32.const 0xffff)) (i32.const 1)
                               (global.get $w)))
    (local.set $ys (call $span (i32.shr_u (local.get $at) (i32.const 16)) (i32.const 1)
                               (global.get $h)))
    (local.set $gy (i32.and (local.get $ys) (i32.const 0xffff)))
    (block $rows_done
      (loop $row ;; trips: 3
        (br_if $rows_done (i32.gt_u (local.get $gy) (i32.shr_u (local.get $ys) (i32.const 16))))
        (local.set $gx (i32.and (local.get $xs) (i32.const 0xffff)))
        (block $cols_done
          (loop $col ;; trips: 3
            (br_if $cols_done (i32.gt_u (local.get $gx) (i32.shr_u (local.get $xs) (i32.const 16))))
            (local.set $cur
              (i32.load (i32.add (global.get $grid)
                                 (i32.shl (i32.add (i32.mul (local.get $gy) (global.get $gw))
                                                   (local.get $gx))
                                          (i32.const 2)))))
            (block $list_done
              (loop $list ;; total: U+9
                (br_if $list_done (i32.eqz (local.get $cur)))
                (local.set $b (call $addr (local.get $cur)))
                (if (i32.and (i32.load8_u offset=22 (local.get $b))
                             (i32.le_u (call $dist (i32.load offset=4 (local.get $b)) (local.get $at))
                                       (i32.const 1)))
                  (then
                    (if (i32.eqz (local.get $spell))
                      (then
                        (call $wound (local.get $b) (i32.const 6))
                        (call $die_if_dead (local.get $b)))
                      (else
                        (if (i32.eq (i32.load8_u offset=16 (local.get $b)) (global.get $slot))
                          (then
                            (local.set $hp (i32.load16_u offset=8 (local.get $b)))
                            (local.set $max (i32.load16_u offset=10 (local.get $b)))
                            ;; min(hp + 8 (saturating), max), but never below hp
                            (local.set $max
                              (select (i32.add (local.get $hp) (i32.const 8)) (local.get $max)
                                      (i32.lt_u (i32.add (local.get $hp) (i32.const 8))
                                                (local.get $max))))
                            (if (i32.gt_u (local.get $max) (i32.const 0xffff))
                              (then (local.set $max (i32.const 0xffff))))
                            (if (i32.gt_u (local.get $max) (local.get $hp))
                              (then (i32.store16 offset=8 (local.get $b) (local.get $max))))))))))
                (local.set $cur (i32.load offset=28 (local.get $b)))
                (br $list)))
            (local.set $gx (i32.add (local.get $gx) (i32.const 1)))
            (br $col)))
        (local.set $gy (i32.add (local.get $gy) (i32.const 1)))
        (br $row)))
    (if (i32.eqz (local.get $spell)) (then (call $bury)))
    (i32.const 1))

  ;; ---------------------------------------------------------------- numbers

  ;; Random Number: SplitMix64 (interp::Rng) on the turn's seed; lo + next % (hi - lo + 1).
  (func $rt_random (param $x i32) (param $y i32) (result i32)
    (local $lo i32) (local $hi i32) (local $z i64)
    (local.set $lo (select (local.get $x) (local.get $y) (i32.le_s (local.get $x) (local.get $y))))
    (local.set $hi (select (local.get $y) (local.get $x) (i32.le_s (local.get $x) (local.get $y))))
    (global.set $rng (i64.add (global.get $rng) (i64.const 0x9E3779B97F4A7C15)))
    (local.set $z (global.get $rng))
    (local.set $z (i64.mul (i64.xor (local.get $z) (i64.shr_u (local.get $z) (i64.const 30)))
                           (i64.const 0xBF58476D1CE4E5B9)))
    (local.set $z (i64.mul (i64.xor (local.get $z) (i64.shr_u (local.get $z) (i64.const 27)))
                           (i64.const 0x94D049BB133111EB)))
    (local.set $z (i64.xor (local.get $z) (i64.shr_u (local.get $z) (i64.const 31))))
    (i32.wrap_i64
      (i64.add (i64.extend_i32_s (local.get $lo))
        (i64.rem_u (local.get $z)
          (i64.add (i64.sub (i64.extend_i32_s (local.get $hi)) (i64.extend_i32_s (local.get $lo)))
                   (i64.const 1))))))

  ;; Divide: truncating; 0 when dividing by 0; MIN / -1 wraps to MIN.
  (func $rt_div (param $a i32) (param $b i32) (result i32)
    (if (i32.eqz (local.get $b)) (then (return (i32.const 0))))
    (if (i32.eq (local.get $b) (i32.const -1))
      (then (return (i32.sub (i32.const 0) (local.get $a)))))
    (i32.div_s (local.get $a) (local.get $b)))
)
