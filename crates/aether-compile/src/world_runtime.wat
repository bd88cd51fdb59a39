;; The runtime library of compiled world scripts.
;;
;; Every world-script module the visual-script compiler emits starts with these imports,
;; functions and globals, copied verbatim (same indices), followed by one function per graph node,
;; `init` and `on_event`. It holds what a world-script graph needs that does not depend on the
;; graph:
;;
;; * the contract's `"aether"` imports (`docs/world-script-abi.md`), declared here so that every
;;   index in the bodies below stays valid when copied;
;; * a postcard decoder for `aether_world_types::WorldEvent` that keeps the event's fields in
;;   globals for the event nodes (`$ev` the variant index, 255 for a variant this version does
;;   not know, which no node answers);
;; * the world nodes' calls: each checks for *none* first (nothing is sent), converts tiles to
;;   world units (a tile's centre) and back (rounded down, clamped to 0..=65534), and returns the
;;   import's code;
;; * Show Text's and Send Message's `{number}` filling, storage Numbers as 4 little-endian bytes;
;; * the language's PRNG (SplitMix64, as `interp::Rng`), seeded by `rt_w_init` with
;;   `catalog::WORLD_SEED`, and Divide.
;;
;; The reference interpreter (`interp/world.rs`) defines what every function here computes; the
;; differential test holds the two to the same host calls.
;;
;; Page 0 belongs to the module: 16..24 the identity cells and 128.. the identity string
;; (written by the compiler), 1024..3072 the filled text, 3072..3076 a storage value, 3080..3088
;; an entity position, 3800..3840 digits, 3840..4096 an entity's kind; the graph's texts from
;; 4096 (data segments the compiler writes). Events arrive in pages the host grows above.
;;
;; Values: as in AI controllers (Number, Bool, Position x | y << 16 with none -1); Entity and
;; Player are ids, none -1.
(module
  (import "aether" "entity_spawn" (func $entity_spawn (param i32 i32 f32 f32) (result i64)))
  (import "aether" "entity_destroy" (func $entity_destroy (param i32) (result i32)))
  (import "aether" "entity_position" (func $entity_position (param i32 i32) (result i32)))
  (import "aether" "physics_apply_force" (func $physics_apply_force (param i32 f32 f32) (result i32)))
  (import "aether" "audio_play" (func $audio_play (param i32 i32 f32 f32) (result i32)))
  (import "aether" "network_send" (func $network_send (param i32 i32 i32) (result i32)))
  (import "aether" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "aether" "storage_write" (func $storage_write (param i32 i32 i32 i32) (result i32)))
  (import "aether" "ui_message" (func $ui_message (param i32 i32 i32) (result i32)))
  (import "aether" "entity_kind" (func $entity_kind (param i32 i32 i32) (result i32)))
  (import "aether" "entity_next_near" (func $entity_next_near (param f32 f32 f32 i32) (result i64)))
  (import "aether" "physics_set_velocity" (func $physics_set_velocity (param i32 f32 f32) (result i32)))
  (import "aether" "physics_raycast" (func $physics_raycast (param f32 f32 f32 f32 f32) (result i64)))
  (import "aether" "ui_objective" (func $ui_objective (param i32 i32 i32) (result i32)))
  (import "aether" "ui_marker" (func $ui_marker (param f32 f32 i32 i32) (result i32)))
  (import "aether" "entity_is_mine" (func $entity_is_mine (param i32) (result i32)))
  (import "aether" "entity_hp" (func $entity_hp (param i32) (result i32)))
  (import "aether" "entity_set_hp" (func $entity_set_hp (param i32 i32) (result i32)))
  (import "aether" "network_broadcast" (func $network_broadcast (param i32 i32) (result i32)))
  (import "aether" "network_send_script" (func $network_send_script (param i32 i32 i32 i32) (result i32)))
  (memory 1)

  (global $rng (mut i64) (i64.const 0))
  ;; Nesting of graph nodes; the compiled nodes check it against interp::MAX_DEPTH.
  (global $depth (mut i32) (i32.const 0))
  ;; The event being handled.
  (global $ev (mut i32) (i32.const 0))
  (global $ev_tick (mut i32) (i32.const 0))
  ;; Timer, entity, collision's a, or player.
  (global $ev_first (mut i32) (i32.const 0))
  ;; Area, or collision's b.
  (global $ev_second (mut i32) (i32.const 0))
  (global $ev_pos (mut i32) (i32.const 0))
  ;; Kind, message body or player name: where and how long.
  (global $ev_text (mut i32) (i32.const 0))
  (global $ev_text_len (mut i32) (i32.const 0))
  ;; Input cursor and the flag a failed read sets.
  (global $in (mut i32) (i32.const 0))
  (global $in_end (mut i32) (i32.const 0))
  (global $bad (mut i32) (i32.const 0))
  ;; The last storage read: whether a Number was there, and which.
  (global $found (mut i32) (i32.const 0))
  (global $value (mut i32) (i32.const 0))
  ;; Storage Add's total.
  (global $last (mut i32) (i32.const 0))

  (export "depth" (global $depth))
  (export "ev" (global $ev))
  (export "rt_w_init" (func $rt_w_init))
  (export "rt_w_event" (func $rt_w_event))
  (export "rt_w_ev_tick" (func $rt_w_ev_tick))
  (export "rt_w_ev_first" (func $rt_w_ev_first))
  (export "rt_w_ev_second" (func $rt_w_ev_second))
  (export "rt_w_ev_pos" (func $rt_w_ev_pos))
  (export "rt_w_every" (func $rt_w_every))
  (export "rt_w_text_is" (func $rt_w_text_is))
  (export "rt_w_or_none" (func $rt_w_or_none))
  (export "rt_w_last" (func $rt_w_last))
  (export "rt_w_tile" (func $rt_w_tile))
  (export "rt_w_position" (func $rt_w_position))
  (export "rt_w_exists" (func $rt_w_exists))
  (export "rt_w_get" (func $rt_w_get))
  (export "rt_w_has" (func $rt_w_has))
  (export "rt_w_spawn" (func $rt_w_spawn))
  (export "rt_w_despawn" (func $rt_w_despawn))
  (export "rt_w_push" (func $rt_w_push))
  (export "rt_w_sound" (func $rt_w_sound))
  (export "rt_w_show" (func $rt_w_show))
  (export "rt_w_send" (func $rt_w_send))
  (export "rt_w_store" (func $rt_w_store))
  (export "rt_w_add" (func $rt_w_add))
  (export "rt_w_kind_is" (func $rt_w_kind_is))
  (export "rt_w_next_near" (func $rt_w_next_near))
  (export "rt_w_velocity" (func $rt_w_velocity))
  (export "rt_w_raycast" (func $rt_w_raycast))
  (export "rt_w_objective" (func $rt_w_objective))
  (export "rt_w_marker" (func $rt_w_marker))
  (export "rt_w_is_mine" (func $rt_w_is_mine))
  (export "rt_w_hp" (func $rt_w_hp))
  (export "rt_w_set_hp" (func $rt_w_set_hp))
  (export "rt_w_send_script" (func $rt_w_send_script))
  (export "rt_random" (func $rt_random))
  (export "rt_div" (func $rt_div))

  ;; ---------------------------------------------------------------- events

  (func $rt_w_init
    (global.set $rng (i64.const 0x00C0FFEE5EED)))

  (func $byte (result i32)
    (local $b i32)
    (if (i32.ge_u (global.get $in) (global.get $in_end))
      (then (global.set $bad (i32.const 1)) (return (i32.const 0))))
    (local.set $b (i32.load8_u (global.get $in)))
    (global.set $in (i32.add (global.get $in) (i32.const 1)))
    (local.get $b))

  ;; An unsigned LEB128 of at most $max bytes, low 64 bits.
  (func $varint (param $max i32) (result i64)
    (local $i i32) (local $b i32) (local $out i64)
    (loop $next
      (local.set $b (call $byte))
      (if (global.get $bad) (then (return (i64.const 0))))
      (local.set $out
        (i64.or (local.get $out)
          (i64.shl (i64.extend_i32_u (i32.and (local.get $b) (i32.const 0x7f)))
                   (i64.extend_i32_u (i32.mul (local.get $i) (i32.const 7))))))
      (if (i32.eqz (i32.and (local.get $b) (i32.const 0x80)))
        (then (return (local.get $out))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $max))))
    (global.set $bad (i32.const 1))
    (i64.const 0))

  (func $u32 (result i32)
    (i32.wrap_i64 (call $varint (i32.const 5))))

  ;; An id as the language holds it: ids that do not fit a Number are none (-1).
  (func $id (result i32)
    (local $v i32)
    (local.set $v (call $u32))
    (select (i32.const -1) (local.get $v) (i32.lt_s (local.get $v) (i32.const 0))))

  (func $f32 (result f32)
    (local $p i32)
    (local.set $p (global.get $in))
    (if (i32.gt_u (i32.add (local.get $p) (i32.const 4)) (global.get $in_end))
      (then (global.set $bad (i32.const 1)) (return (f32.const 0))))
    (global.set $in (i32.add (local.get $p) (i32.const 4)))
    (f32.load align=1 (local.get $p)))

  ;; A string or byte list: length, then the bytes, which stay where they are.
  (func $text
    (local $n i32)
    (local.set $n (call $u32))
    (if (global.get $bad) (then (return)))
    (if (i32.gt_u (local.get $n) (i32.sub (global.get $in_end) (global.get $in)))
      (then (global.set $bad (i32.const 1)) (return)))
    (global.set $ev_text (global.get $in))
    (global.set $ev_text_len (local.get $n))
    (global.set $in (i32.add (global.get $in) (local.get $n))))

  ;; The tile of a world coordinate: rounded down, within 0..=65534.
  (func $tile (param $v f32) (result i32)
    (local $i i32)
    (local.set $i (i32.trunc_sat_f32_s (f32.floor (local.get $v))))
    (if (i32.lt_s (local.get $i) (i32.const 0)) (then (return (i32.const 0))))
    (if (i32.gt_s (local.get $i) (i32.const 65534)) (then (return (i32.const 65534))))
    (local.get $i))

  ;; Decodes the event at ptr..ptr+len into the $ev globals: its variant index, or -1 when the
  ;; bytes are not an event.
  (func $rt_w_event (param $ptr i32) (param $len i32) (result i32)
    (local $x f32)
    (global.set $in (local.get $ptr))
    (global.set $in_end (i32.add (local.get $ptr) (local.get $len)))
    (global.set $bad (i32.const 0))
    (global.set $ev_tick (i32.const 0))
    (global.set $ev_first (i32.const 0))
    (global.set $ev_second (i32.const 0))
    (global.set $ev_pos (i32.const 0))
    (global.set $ev_text (i32.const 0))
    (global.set $ev_text_len (i32.const 0))
    (global.set $ev (call $u32))
    (block $done
      (block $script (block $left (block $joined (block $message (block $collision (block $area
      (block $destroyed (block $spawned (block $timer (block $tick (block $start (block $unknown
        (br_table $start $tick $timer $spawned $destroyed $area $collision $message $joined $left
                  $script $unknown (global.get $ev)))
        ;; unknown
        (global.set $ev (i32.const 255))
        (br $done))
        ;; 0 Start
        (br $done))
        ;; 1 Tick
        (global.set $ev_tick (i32.wrap_i64 (call $varint (i32.const 10))))
        (br $done))
        ;; 2 Timer
        (global.set $ev_first (call $u32))
        (global.set $ev_tick (i32.wrap_i64 (call $varint (i32.const 10))))
        (br $done))
        ;; 3 EntitySpawned
        (global.set $ev_first (call $id))
        (call $text)
        (local.set $x (call $f32))
        (global.set $ev_pos
          (i32.or (call $tile (local.get $x)) (i32.shl (call $tile (call $f32)) (i32.const 16))))
        (br $done))
        ;; 4 EntityDestroyed
        (global.set $ev_first (call $id))
        (br $done))
        ;; 5 EnteredArea
        (global.set $ev_first (call $id))
        (global.set $ev_second (call $u32))
        (br $done))
        ;; 6 Collision
        (global.set $ev_first (call $id))
        (global.set $ev_second (call $id))
        (br $done))
        ;; 7 Message
        (global.set $ev_first (call $id))
        (call $text)
        (br $done))
        ;; 8 PlayerJoined
        (global.set $ev_first (call $id))
        (call $text)
        (br $done))
        ;; 9 PlayerLeft
        (global.set $ev_first (call $id))
        (br $done))
      ;; 10 ScriptMessage: the sender's name, then the body (which the filter reads)
      (call $text)
      (call $text))
    (if (global.get $bad) (then (return (i32.const -1))))
    (global.get $ev))

  (func $rt_w_ev_tick (result i32) (global.get $ev_tick))
  (func $rt_w_ev_first (result i32) (global.get $ev_first))
  (func $rt_w_ev_second (result i32) (global.get $ev_second))
  (func $rt_w_ev_pos (result i32) (global.get $ev_pos))

  ;; Every N Ticks: whether this tick is a multiple of $n (never for $n <= 0).
  (func $rt_w_every (param $n i32) (result i32)
    (if (i32.le_s (local.get $n) (i32.const 0)) (then (return (i32.const 0))))
    (i32.eqz (i32.rem_u (global.get $ev_tick) (local.get $n))))

  ;; Whether the event's text is exactly ptr..ptr+len.
  (func $rt_w_text_is (param $ptr i32) (param $len i32) (result i32)
    (local $i i32)
    (if (i32.ne (local.get $len) (global.get $ev_text_len)) (then (return (i32.const 0))))
    (block $out
      (loop $next
        (br_if $out (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.ne (i32.load8_u (i32.add (local.get $ptr) (local.get $i)))
                    (i32.load8_u (i32.add (global.get $ev_text) (local.get $i))))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const 1))

  (func $rt_w_or_none (param $code i32) (result i32)
    (select (i32.const -1) (local.get $code) (i32.lt_s (local.get $code) (i32.const 0))))

  (func $rt_w_last (result i32) (global.get $last))

  ;; ---------------------------------------------------------------- tiles and entities

  (func $clamp_tile (param $v i32) (result i32)
    (if (i32.lt_s (local.get $v) (i32.const 0)) (then (return (i32.const 0))))
    (if (i32.gt_s (local.get $v) (i32.const 65534)) (then (return (i32.const 65534))))
    (local.get $v))

  (func $rt_w_tile (param $x i32) (param $y i32) (result i32)
    (i32.or (call $clamp_tile (local.get $x))
            (i32.shl (call $clamp_tile (local.get $y)) (i32.const 16))))

  ;; A tile's centre, in world units.
  (func $cx (param $pos i32) (result f32)
    (f32.add (f32.convert_i32_u (i32.and (local.get $pos) (i32.const 0xffff))) (f32.const 0.5)))
  (func $cy (param $pos i32) (result f32)
    (f32.add (f32.convert_i32_u (i32.shr_u (local.get $pos) (i32.const 16))) (f32.const 0.5)))

  (func $rt_w_position (param $e i32) (result i32)
    (if (i32.lt_s (local.get $e) (i32.const 0)) (then (return (i32.const -1))))
    (if (i32.lt_s (call $entity_position (local.get $e) (i32.const 3080)) (i32.const 0))
      (then (return (i32.const -1))))
    (i32.or (call $tile (f32.load (i32.const 3080)))
            (i32.shl (call $tile (f32.load (i32.const 3084))) (i32.const 16))))

  (func $rt_w_exists (param $e i32) (result i32)
    (if (i32.lt_s (local.get $e) (i32.const 0)) (then (return (i32.const 0))))
    (i32.ge_s (call $entity_position (local.get $e) (i32.const 3080)) (i32.const 0)))

  (func $rt_w_spawn (param $kind i32) (param $kind_len i32) (param $pos i32) (result i32)
    (if (i32.eq (local.get $pos) (i32.const -1)) (then (return (i32.const -1))))
    (i32.wrap_i64
      (call $entity_spawn (local.get $kind) (local.get $kind_len)
        (call $cx (local.get $pos)) (call $cy (local.get $pos)))))

  (func $rt_w_despawn (param $e i32) (result i32)
    (if (i32.lt_s (local.get $e) (i32.const 0)) (then (return (i32.const -2))))
    (call $entity_destroy (local.get $e)))

  (func $rt_w_push (param $e i32) (param $x i32) (param $y i32) (result i32)
    (if (i32.lt_s (local.get $e) (i32.const 0)) (then (return (i32.const -2))))
    (call $physics_apply_force (local.get $e)
      (f32.convert_i32_s (local.get $x)) (f32.convert_i32_s (local.get $y))))

  (func $rt_w_sound (param $name i32) (param $len i32) (param $pos i32) (result i32)
    (if (i32.eq (local.get $pos) (i32.const -1)) (then (return (i32.const -1))))
    (call $audio_play (local.get $name) (local.get $len)
      (call $cx (local.get $pos)) (call $cy (local.get $pos))))

  ;; ---------------------------------------------------------------- text

  ;; Writes $n in decimal at $dst; returns the address after it.
  (func $itoa (param $n i32) (param $dst i32) (result i32)
    (local $v i64) (local $p i32)
    (local.set $v (i64.extend_i32_s (local.get $n)))
    (if (i64.lt_s (local.get $v) (i64.const 0))
      (then
        (i32.store8 (local.get $dst) (i32.const 45))
        (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
        (local.set $v (i64.sub (i64.const 0) (local.get $v)))))
    (local.set $p (i32.const 3840))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i64.store8 (local.get $p) (i64.add (i64.const 48) (i64.rem_u (local.get $v) (i64.const 10))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $v) (i64.const 0))))
    (block $out
      (loop $copy
        (br_if $out (i32.ge_u (local.get $p) (i32.const 3840)))
        (i32.store8 (local.get $dst) (i32.load8_u (local.get $p)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $copy)))
    (local.get $dst))

  ;; The text ptr..ptr+len with every "{number}" replaced by $n, written at 1024; its length.
  (func $fill (param $ptr i32) (param $len i32) (param $n i32) (result i32)
    (local $i i32) (local $dst i32)
    (local.set $dst (i32.const 1024))
    (block $out
      (loop $next
        (br_if $out (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.and
              (i32.le_u (i32.add (local.get $i) (i32.const 8)) (local.get $len))
              (i64.eq (i64.load align=1 (i32.add (local.get $ptr) (local.get $i)))
                      (i64.const 0x7d7265626d756e7b)))
          (then
            (local.set $dst (call $itoa (local.get $n) (local.get $dst)))
            (local.set $i (i32.add (local.get $i) (i32.const 8))))
          (else
            (i32.store8 (local.get $dst) (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
            (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))))
        (br $next)))
    (i32.sub (local.get $dst) (i32.const 1024)))

  (func $rt_w_show (param $to i32) (param $n i32) (param $ptr i32) (param $len i32) (result i32)
    (local $l i32)
    (local.set $l (call $fill (local.get $ptr) (local.get $len) (local.get $n)))
    (call $ui_message
      (select (i32.const -1) (local.get $to) (i32.lt_s (local.get $to) (i32.const 0)))
      (i32.const 1024) (local.get $l)))

  ;; Send Message: to a player, or (none) to every player.
  (func $rt_w_send (param $to i32) (param $n i32) (param $ptr i32) (param $len i32) (result i32)
    (local $l i32)
    (local.set $l (call $fill (local.get $ptr) (local.get $len) (local.get $n)))
    (if (i32.lt_s (local.get $to) (i32.const 0))
      (then (return (call $network_broadcast (i32.const 1024) (local.get $l)))))
    (call $network_send (local.get $to) (i32.const 1024) (local.get $l)))

  (func $rt_w_send_script (param $n i32) (param $name i32) (param $name_len i32)
                          (param $ptr i32) (param $len i32) (result i32)
    (local $l i32)
    (local.set $l (call $fill (local.get $ptr) (local.get $len) (local.get $n)))
    (call $network_send_script (local.get $name) (local.get $name_len)
      (i32.const 1024) (local.get $l)))

  ;; ---------------------------------------------------------------- storage

  ;; Reads the Number under the key into $found and $value.
  (func $read (param $key i32) (param $key_len i32)
    (global.set $found
      (i32.eq (call $storage_read (local.get $key) (local.get $key_len) (i32.const 3072) (i32.const 4))
              (i32.const 4)))
    (global.set $value
      (select (i32.load (i32.const 3072)) (i32.const 0) (global.get $found))))

  (func $rt_w_get (param $key i32) (param $key_len i32) (result i32)
    (call $read (local.get $key) (local.get $key_len))
    (global.get $value))

  (func $rt_w_has (param $key i32) (param $key_len i32) (result i32)
    (call $read (local.get $key) (local.get $key_len))
    (global.get $found))

  (func $rt_w_store (param $v i32) (param $key i32) (param $key_len i32) (result i32)
    (i32.store (i32.const 3072) (local.get $v))
    (call $storage_write (local.get $key) (local.get $key_len) (i32.const 3072) (i32.const 4)))

  (func $rt_w_add (param $a i32) (param $key i32) (param $key_len i32) (result i32)
    (local $old i32) (local $new i32) (local $code i32)
    (call $read (local.get $key) (local.get $key_len))
    (local.set $old (global.get $value))
    (local.set $new (i32.add (local.get $old) (local.get $a)))
    (i32.store (i32.const 3072) (local.get $new))
    (local.set $code
      (call $storage_write (local.get $key) (local.get $key_len) (i32.const 3072) (i32.const 4)))
    (global.set $last
      (select (local.get $new) (local.get $old) (i32.ge_s (local.get $code) (i32.const 0))))
    (local.get $code))

  ;; ---------------------------------------------------------------- more of the world

  ;; Entity Kind Is: the entity's kind (read into 3840..4096) is exactly ptr..ptr+len.
  (func $rt_w_kind_is (param $e i32) (param $ptr i32) (param $len i32) (result i32)
    (local $n i32) (local $i i32)
    (if (i32.lt_s (local.get $e) (i32.const 0)) (then (return (i32.const 0))))
    (local.set $n (call $entity_kind (local.get $e) (i32.const 3840) (i32.const 256)))
    (if (i32.ne (local.get $n) (local.get $len)) (then (return (i32.const 0))))
    (block $out
      (loop $next
        (br_if $out (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.ne (i32.load8_u (i32.add (local.get $ptr) (local.get $i)))
                    (i32.load8_u (i32.add (i32.const 3840) (local.get $i))))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const 1))

  ;; For Each Entity In Radius: the next entity above $after within $radius tiles of the tile's
  ;; centre, or a negative code (the loop ends).
  (func $rt_w_next_near (param $pos i32) (param $radius i32) (param $after i32) (result i32)
    (i32.wrap_i64
      (call $entity_next_near (call $cx (local.get $pos)) (call $cy (local.get $pos))
        (f32.convert_i32_s (local.get $radius)) (local.get $after))))

  (func $rt_w_velocity (param $e i32) (param $x i32) (param $y i32) (result i32)
    (if (i32.lt_s (local.get $e) (i32.const 0)) (then (return (i32.const -2))))
    (call $physics_set_velocity (local.get $e)
      (f32.convert_i32_s (local.get $x)) (f32.convert_i32_s (local.get $y))))

  ;; Raycast from a tile's centre toward another's: the entity met, or none (-1).
  (func $rt_w_raycast (param $from i32) (param $to i32) (param $distance i32) (result i32)
    (local $x f32) (local $y f32) (local $hit i32)
    (if (i32.or (i32.eq (local.get $from) (i32.const -1)) (i32.eq (local.get $to) (i32.const -1)))
      (then (return (i32.const -1))))
    (local.set $x (call $cx (local.get $from)))
    (local.set $y (call $cy (local.get $from)))
    (local.set $hit
      (i32.wrap_i64
        (call $physics_raycast (local.get $x) (local.get $y)
          (f32.sub (call $cx (local.get $to)) (local.get $x))
          (f32.sub (call $cy (local.get $to)) (local.get $y))
          (f32.convert_i32_s (local.get $distance)))))
    (select (i32.const -1) (local.get $hit) (i32.lt_s (local.get $hit) (i32.const 0))))

  (func $rt_w_objective (param $to i32) (param $n i32) (param $ptr i32) (param $len i32) (result i32)
    (local $l i32)
    (local.set $l (call $fill (local.get $ptr) (local.get $len) (local.get $n)))
    (call $ui_objective
      (select (i32.const -1) (local.get $to) (i32.lt_s (local.get $to) (i32.const 0)))
      (i32.const 1024) (local.get $l)))

  (func $rt_w_marker (param $pos i32) (param $n i32) (param $ptr i32) (param $len i32) (result i32)
    (local $l i32)
    (if (i32.eq (local.get $pos) (i32.const -1)) (then (return (i32.const -1))))
    (local.set $l (call $fill (local.get $ptr) (local.get $len) (local.get $n)))
    (call $ui_marker (call $cx (local.get $pos)) (call $cy (local.get $pos))
      (i32.const 1024) (local.get $l)))

  (func $rt_w_is_mine (param $e i32) (result i32)
    (if (i32.lt_s (local.get $e) (i32.const 0)) (then (return (i32.const 0))))
    (i32.eq (call $entity_is_mine (local.get $e)) (i32.const 1)))

  ;; Entity HP: 0 for none, or when the world refuses.
  (func $rt_w_hp (param $e i32) (result i32)
    (local $hp i32)
    (if (i32.lt_s (local.get $e) (i32.const 0)) (then (return (i32.const 0))))
    (local.set $hp (call $entity_hp (local.get $e)))
    (select (i32.const 0) (local.get $hp) (i32.lt_s (local.get $hp) (i32.const 0))))

  (func $rt_w_set_hp (param $e i32) (param $hp i32) (result i32)
    (if (i32.lt_s (local.get $e) (i32.const 0)) (then (return (i32.const -2))))
    (call $entity_set_hp (local.get $e) (local.get $hp)))

  ;; ---------------------------------------------------------------- numbers

  ;; Random Number, as `interp::Rng::between`.
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
