;; herder 1.0.0: a world script written by hand from docs/world-script-abi.md.
;; Learns every entity from the entity-spawned events (the world announces the scene's own at
;; tick 0) and, every tick, pulls each toward the centre of the arena (12, 8) with a force
;; proportional to its distance, so they swing through the middle and collide.
(module
  (import "aether" "entity_position" (func $where (param i32 i32) (result i32)))
  (import "aether" "physics_apply_force" (func $push (param i32 f32 f32) (result i32)))
  (memory (export "memory") 1)
  (global (export "__ident_ptr") i32 (i32.const 16))
  (global (export "__ident_len") i32 (i32.const 20))
  (data (i32.const 16) "\20\00\00\00")
  (data (i32.const 20) "\0c\00\00\00")
  (data (i32.const 32) "herder 1.0.0")
  (global $at (mut i32) (i32.const 0))
  ;; Known entity ids: a u32 array at 1024, $count of them (at most 256).
  (global $count (mut i32) (i32.const 0))

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
    (local $tag i32) (local $i i32) (local $id i32)
    (local.set $tag (i32.load8_u (local.get $ptr)))
    (global.set $at (i32.add (local.get $ptr) (i32.const 1)))
    ;; 3: EntitySpawned { entity, kind, at }: remember it.
    (if (i32.and (i32.eq (local.get $tag) (i32.const 3))
                 (i32.lt_u (global.get $count) (i32.const 256))) (then
      (i32.store (i32.add (i32.const 1024) (i32.shl (global.get $count) (i32.const 2)))
        (call $varint))
      (global.set $count (i32.add (global.get $count) (i32.const 1)))
      (return (i32.const 0))))
    ;; 1: Tick { tick }: pull every known entity toward (12, 8).
    (if (i32.eq (local.get $tag) (i32.const 1)) (then
      (block $done
        (loop $each
          (br_if $done (i32.ge_u (local.get $i) (global.get $count)))
          (local.set $id (i32.load (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2)))))
          (if (i32.eqz (call $where (local.get $id) (i32.const 256))) (then
            (drop (call $push (local.get $id)
              (f32.mul (f32.sub (f32.const 12) (f32.load (i32.const 256))) (f32.const 1.5))
              (f32.mul (f32.sub (f32.const 8) (f32.load (i32.const 260))) (f32.const 1.5))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $each)))
      (return (i32.const 0))))
    (i32.const 0))
)
