;; Hostile: every event traps.
(module
  (memory (export "memory") 1)
  (global (export "__ident_ptr") i32 (i32.const 16))
  (global (export "__ident_len") i32 (i32.const 20))
  (data (i32.const 16) "\20\00\00\00")
  (data (i32.const 20) "\0a\00\00\00")
  (data (i32.const 32) "trap 1.0.0")
  (func (export "init") (result i32) (i32.const 1))
  (func (export "on_event") (param i32 i32) (result i32)
    unreachable)
)
