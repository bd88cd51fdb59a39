;; Hostile: every event tries to spawn 100 entities, ignoring refusals.
(module
  (import "aether" "entity_spawn" (func $spawn (param i32 i32 f32 f32) (result i64)))
  (memory (export "memory") 1)
  (global (export "__ident_ptr") i32 (i32.const 16))
  (global (export "__ident_len") i32 (i32.const 20))
  (data (i32.const 16) "\20\00\00\00")
  (data (i32.const 20) "\0c\00\00\00")
  (data (i32.const 32) "bomber 1.0.0")
  (data (i32.const 48) "crate")
  (func (export "init") (result i32) (i32.const 1))
  (func (export "on_event") (param i32 i32) (result i32)
    (local $i i32)
    (loop $more
      (drop (call $spawn (i32.const 48) (i32.const 5) (f32.const 1) (f32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $more (i32.lt_u (local.get $i) (i32.const 100))))
    (i32.const 0))
)
