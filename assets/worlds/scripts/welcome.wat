;; welcome 1.0.0: a world script written by hand from docs/world-script-abi.md.
;; Greets each player who joins ("Welcome, Ada!", or "Welcome back, Ada!" when storage says they
;; came before), counts each player's visits in storage under their name, tells everyone when a
;; player leaves, and echoes whatever a player says back to them as an RPC.
(module
  (import "aether" "storage_read" (func $get (param i32 i32 i32 i32) (result i32)))
  (import "aether" "storage_write" (func $put (param i32 i32 i32 i32) (result i32)))
  (import "aether" "ui_message" (func $say (param i32 i32 i32) (result i32)))
  (import "aether" "network_send" (func $send (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; The identity: each global holds the address of a cell; the cells hold the string's address
  ;; (32) and length (13).
  (global (export "__ident_ptr") i32 (i32.const 16))
  (global (export "__ident_len") i32 (i32.const 20))
  (data (i32.const 16) "\20\00\00\00")
  (data (i32.const 20) "\0d\00\00\00")
  (data (i32.const 32) "welcome 1.0.0")
  (data (i32.const 64) "Welcome, ")
  (data (i32.const 80) "Welcome back, ")
  (data (i32.const 96) "A player left the village.")
  ;; Where the event decoder reads next.
  (global $at (mut i32) (i32.const 0))

  ;; An unsigned LEB128 varint at $at (postcard's integers); moves $at past it.
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
    (local $tag i32) (local $player i32) (local $n i32) (local $name i32) (local $out i32)
    (local.set $tag (i32.load8_u (local.get $ptr)))
    (global.set $at (i32.add (local.get $ptr) (i32.const 1)))
    ;; 8: PlayerJoined { player, name }
    (if (i32.eq (local.get $tag) (i32.const 8)) (then
      (local.set $player (call $varint))
      (local.set $n (call $varint))
      (local.set $name (global.get $at))
      (if (i32.gt_u (local.get $n) (i32.const 64)) (then (local.set $n (i32.const 64))))
      ;; Visits so far (a little-endian u32 under the key = the name; none yet reads as 0).
      (i32.store (i32.const 256) (i32.const 0))
      (drop (call $get (local.get $name) (local.get $n) (i32.const 256) (i32.const 4)))
      (i32.store (i32.const 256) (i32.add (i32.load (i32.const 256)) (i32.const 1)))
      (drop (call $put (local.get $name) (local.get $n) (i32.const 256) (i32.const 4)))
      ;; The greeting, built at 512.
      (if (i32.eq (i32.load (i32.const 256)) (i32.const 1))
        (then (memory.copy (i32.const 512) (i32.const 64) (i32.const 9))
              (local.set $out (i32.const 521)))
        (else (memory.copy (i32.const 512) (i32.const 80) (i32.const 14))
              (local.set $out (i32.const 526))))
      (memory.copy (local.get $out) (local.get $name) (local.get $n))
      (local.set $out (i32.add (local.get $out) (local.get $n)))
      (i32.store8 (local.get $out) (i32.const 33))
      (local.set $out (i32.add (local.get $out) (i32.const 1)))
      (drop (call $say (local.get $player) (i32.const 512)
        (i32.sub (local.get $out) (i32.const 512))))
      (return (i32.const 0))))
    ;; 9: PlayerLeft { player }
    (if (i32.eq (local.get $tag) (i32.const 9)) (then
      (drop (call $say (i32.const -1) (i32.const 96) (i32.const 26)))
      (return (i32.const 0))))
    ;; 7: Message { from, body }: send the body back.
    (if (i32.eq (local.get $tag) (i32.const 7)) (then
      (local.set $player (call $varint))
      (local.set $n (call $varint))
      (drop (call $send (local.get $player) (global.get $at) (local.get $n)))
      (return (i32.const 0))))
    (i32.const 0))
)
