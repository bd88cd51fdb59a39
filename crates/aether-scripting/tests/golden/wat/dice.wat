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
    call $"node#2 Set Variable"
    global.get $depth
    i32.const 1
    i32.sub
    global.set $depth
  )
  (func $"node#2 Set Variable" (;63;) (type 12)
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
    call $"node#3 Random Number"
    global.set $"var roll"
    call $"node#8 Branch"
    global.get $depth
    i32.const 1
    i32.sub
    global.set $depth
  )
  (func $"node#3 Random Number" (;64;) (type 13) (result i32)
    global.get $depth
    i32.const 512
    i32.ge_u
    if ;; label = @1
      i32.const 0
      return
    end
    global.get $depth
    i32.const 1
    i32.add
    global.set $depth
    i32.const 1
    i32.const 6
    call $rt_random
    global.get $depth
    i32.const 1
    i32.sub
    global.set $depth
  )
  (func $"node#4 Get Variable" (;65;) (type 13) (result i32)
    global.get $depth
    i32.const 512
    i32.ge_u
    if ;; label = @1
      i32.const 0
      return
    end
    global.get $depth
    i32.const 1
    i32.add
    global.set $depth
    global.get $"var roll"
    global.get $depth
    i32.const 1
    i32.sub
    global.set $depth
  )
  (func $"node#5 Min" (;66;) (type 13) (result i32)
    (local i32 i32)
    global.get $depth
    i32.const 512
    i32.ge_u
    if ;; label = @1
      i32.const 0
      return
    end
    global.get $depth
    i32.const 1
    i32.add
    global.set $depth
    call $"node#4 Get Variable"
    local.set 0
    i32.const 4
    local.set 1
    local.get 0
    local.get 1
    local.get 0
    local.get 1
    i32.lt_s
    select
    global.get $depth
    i32.const 1
    i32.sub
    global.set $depth
  )
  (func $"node#6 Divide" (;67;) (type 13) (result i32)
    global.get $depth
    i32.const 512
    i32.ge_u
    if ;; label = @1
      i32.const 0
      return
    end
    global.get $depth
    i32.const 1
    i32.add
    global.set $depth
    call $"node#5 Min"
    i32.const 2
    call $rt_div
    global.get $depth
    i32.const 1
    i32.sub
    global.set $depth
  )
  (func $"node#7 Compare" (;68;) (type 13) (result i32)
    global.get $depth
    i32.const 512
    i32.ge_u
    if ;; label = @1
      i32.const 0
      return
    end
    global.get $depth
    i32.const 1
    i32.add
    global.set $depth
    call $"node#6 Divide"
    i32.const 2
    i32.ge_s
    global.get $depth
    i32.const 1
    i32.sub
    global.set $depth
  )
  (func $"node#8 Branch" (;69;) (type 12)
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
    call $"node#7 Compare"
    if ;; label = @1
    end
    global.get $depth
    i32.const 1
    i32.sub
    global.set $depth
  )
  (func $init (;70;) (type 13) (result i32)
    i32.const 1
  )
  (func $decide_turn (;71;) (type 14) (param i32 i32 i32 i64 i32 i32) (result i32)
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
    global.set $"var roll"
    call $"node#1 On Turn"
    local.get 4
    local.get 5
    call $rt_finish
  )
  (data (;0;) (i32.const 16) "\80\00\00\00\0a\00\00\00")
  (data (;1;) (i32.const 128) "dice 1.0.0")
)
