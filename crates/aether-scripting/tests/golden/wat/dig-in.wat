  (export "memory" (memory 0))
  (export "init" (func $init))
  (export "decide_turn" (func $decide_turn))
  (export "__ident_ptr" (global $__ident_ptr))
  (export "__ident_len" (global $__ident_len))
  (func $"node#1 On Turn" (;62;) (type 12)
    global.get $depth
    i32.const 512
    i32.ge_u
    if ;; label = @1
      return
    end
    global.get $depth
    i32.const 1
    i32.add
    global.set $depth
    call $"node#2 For Each Unit"
    global.get $depth
    i32.const 1
    i32.sub
    global.set $depth
  )
  (func $"node#2 For Each Unit" (;63;) (type 12)
    (local i32)
    global.get $depth
    i32.const 512
    i32.ge_u
    if ;; label = @1
      return
    end
    global.get $depth
    i32.const 1
    i32.add
    global.set $depth
    i32.const 0
    local.set 0
    block ;; label = @1
      loop ;; label = @2
        i32.const 0
        local.get 0
        call $rt_next_unit
        local.tee 0
        i32.eqz
        br_if 1 (;@1;)
        local.get 0
        global.set $node#2.unit
        call $"node#3 Fortify"
        br 0 (;@2;)
      end
    end
    global.get $depth
    i32.const 1
    i32.sub
    global.set $depth
  )
  (func $"node#3 Fortify" (;64;) (type 12)
    global.get $depth
    i32.const 512
    i32.ge_u
    if ;; label = @1
      return
    end
    global.get $depth
    i32.const 1
    i32.add
    global.set $depth
    global.get $node#2.unit
    call $rt_fortify
    drop
    global.get $depth
    i32.const 1
    i32.sub
    global.set $depth
  )
  (func $init (;65;) (type 13) (result i32)
    i32.const 1
  )
  (func $decide_turn (;66;) (type 14) (param i32 i32 i32 i64 i32 i32) (result i32)
    (local i32)
    local.get 0
    local.get 1
    local.get 2
    local.get 3
    call $rt_begin
    local.tee 6
    i32.const 0
    i32.lt_s
    if ;; label = @1
      local.get 6
      return
    end
    i32.const 0
    global.set $node#2.unit
    call $"node#1 On Turn"
    local.get 4
    local.get 5
    call $rt_finish
  )
  (data (;0;) (i32.const 16) "\80\00\00\00\0c\00\00\00")
  (data (;1;) (i32.const 128) "dig-in 1.0.0")
)
