;; crate-drop 1.0.0: a world script written by hand from docs/world-script-abi.md.
;; On every timer event, spawns a crate on the north road (x = 9.5 to 13.5 in turn) and pushes it
;; south toward the well, with a "drop" sound. Plays "thud" where two entities collide. When an
;; entity enters area 1 (the well), tells everyone and removes it if it is one of our crates.
(module
  (import "aether" "entity_spawn" (func $spawn (param i32 i32 f32 f32) (result i64)))
  (import "aether" "entity_position" (func $where (param i32 i32) (result i32)))
  (import "aether" "entity_destroy" (func $destroy (param i32) (result i32)))
  (import "aether" "physics_apply_force" (func $push (param i32 f32 f32) (result i32)))
  (import "aether" "audio_play" (func $play (param i32 i32 f32 f32) (result i32)))
  (import "aether" "ui_message" (func $say (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global (export "__ident_ptr") i32 (i32.const 16))
  (global (export "__ident_len") i32 (i32.const 20))
  (data (i32.const 16) "\20\00\00\00")
  (data (i32.const 20) "\10\00\00\00")
  (data (i32.const 32) "crate-drop 1.0.0")
  (data (i32.const 64) "crate")
  (data (i32.const 72) "drop")
  (data (i32.const 80) "thud")
  (data (i32.const 96) "Splash! Something fell into the well.")
  (global $at (mut i32) (i32.const 0))
  (global $drops (mut i32) (i32.const 0))

  (func $varint (result i32)
    (local $v i32) (local $shift i32) (local $b i32)
    (loop $more
      (local.set $b (i32.load8_u (global.get $at)))
      (global.set $at (i32.add (global.get $at) (i32.const 1)))
      (local.set $v (i32.or (local.get $v)
        (i32.shl (i32.and (local.get $b) (i32.const 0x7f)) (local.get $shift))))
      (local.set $shift (i32.add (local.get $shift) (i32.const 7)))
      (br_if $more (i32.and (i32.ne (i32.and (local.get $b) (i32.const 0x80)) (i32.const 0))
                            (i32.lt_u (local.get $shift) (i32.const 35)))))
    (local.get $v))

  (func (export "init") (result i32) (i32.const 1))

  (func (export "on_event") (param $ptr i32) (param $len i32) (result i32)
    (local $tag i32) (local $id i64) (local $x f32) (local $a i32)
    (local.set $tag (i32.load8_u (local.get $ptr)))
    (global.set $at (i32.add (local.get $ptr) (i32.const 1)))
    ;; 2: Timer { timer, tick }
    (if (i32.eq (local.get $tag) (i32.const 2)) (then
      (local.set $x (f32.add (f32.const 9.5)
        (f32.convert_i32_u (i32.rem_u (global.get $drops) (i32.const 5)))))
      (global.set $drops (i32.add (global.get $drops) (i32.const 1)))
      (local.set $id (call $spawn (i32.const 64) (i32.const 5) (local.get $x) (f32.const 2.5)))
      ;; Refused (throttled, full world): nothing to push; not an error.
      (if (i64.lt_s (local.get $id) (i64.const 0)) (then (return (i32.const 0))))
      (drop (call $push (i32.wrap_i64 (local.get $id))
        (f32.mul (f32.sub (f32.const 11.5) (local.get $x)) (f32.const 12)) (f32.const 80)))
      (drop (call $play (i32.const 72) (i32.const 4) (local.get $x) (f32.const 2.5)))
      (return (i32.const 0))))
    ;; 6: Collision { a, b }
    (if (i32.eq (local.get $tag) (i32.const 6)) (then
      (local.set $a (call $varint))
      (if (i32.eqz (call $where (local.get $a) (i32.const 256))) (then
        (drop (call $play (i32.const 80) (i32.const 4)
          (f32.load (i32.const 256)) (f32.load (i32.const 260))))))
      (return (i32.const 0))))
    ;; 5: EnteredArea { entity, area }
    (if (i32.eq (local.get $tag) (i32.const 5)) (then
      (local.set $a (call $varint))
      (if (i32.eq (call $varint) (i32.const 1)) (then
        (drop (call $say (i32.const -1) (i32.const 96) (i32.const 37)))
        (drop (call $destroy (local.get $a)))))
      (return (i32.const 0))))
    (i32.const 0))
)
