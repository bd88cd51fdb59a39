//! A world script's slice of fuel, kept exact across what the host does for it.
//!
//! Wasmtime counts the script's own operators and yields every `interval` of fuel (the store's
//! async yield interval); what the host does inside an import (copying bytes, walking
//! entities, reading the database) is charged here, into the same store fuel, at the rates of
//! [`HostCosts`] and the world's own work. The scheduler gives the script slices of a fixed
//! fuel; the [`Meter`] makes a slice end where its fuel is spent, whoever spent it:
//!
//! * before an import, when the slice has been used and the call's base cost would not fit in
//!   what is left, the slice ends first and the call runs at the start of the next one (a rate
//!   or a cost is always checked before the work);
//! * after an import, its cost is taken from the store's fuel, and the store's yield interval
//!   is set to what is left of the slice, so the script's next operators stop exactly there; when
//!   too little is left for that to be worth a yield of its own, the slice ends after the call.
//!
//! The runtime reads the meter after each poll of the handler (the store itself is inside the
//! handler's future then): where the slice ended, and how far the store's fuel went. So each
//! slice reports exactly the fuel it took, and a slice takes at most its fuel, or the cost of one
//! call when a single call costs more than a whole slice.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use aether_world::limits::HostCosts;
use wasmtime::Caller;

/// A store's data that carries a meter (the imports' `ScriptHost`, the debugger's twin).
pub trait Metered {
    /// The meter of the handler in flight.
    fn meter(&self) -> &SharedMeter;
}

/// Where the handler in flight stands in its slice (shared by the runtime and the imports).
#[derive(Debug, Clone, Default)]
pub struct Meter {
    /// The store's fuel when the slice began.
    pub slice_start: u64,
    /// Fuel the slice may take.
    pub allowance: u64,
    /// The fuel of a whole slice (the store's interval outside of a shortened slice).
    pub slice: u64,
    /// The store's yield interval now.
    pub interval: u64,
    /// The store's fuel when its current interval began.
    pub interval_start: u64,
    /// Set when an import ended the slice: the store's fuel then.
    pub ended_at: Option<u64>,
    /// Fuel the imports charged since the handler began (for the debugger's profile).
    pub charged: u64,
}

impl Meter {
    /// A meter for slices of `slice` fuel, the store holding `fuel`.
    pub fn new(slice: u64, fuel: u64) -> Self {
        Self {
            slice_start: fuel,
            allowance: slice,
            slice,
            interval: slice,
            interval_start: fuel,
            ended_at: None,
            charged: 0,
        }
    }
}

/// A meter shared by the runtime and the store's imports.
pub type SharedMeter = Arc<Mutex<Meter>>;

fn lock(m: &SharedMeter) -> std::sync::MutexGuard<'_, Meter> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A future that is pending once: awaiting it inside an import suspends the handler there
/// (the poll of the handler returns), and the import goes on when the handler is next polled.
#[derive(Debug, Default)]
pub struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Before an import of base cost `cost`: whether the slice must end first (it has been used,
/// and the call would not fit in what is left). When it must, the meter records where.
pub fn must_end_before<T: Metered>(caller: &mut Caller<'_, T>, cost: u64) -> bool {
    let Ok(fuel) = caller.get_fuel() else {
        return false;
    };
    let meter = caller.data().meter().clone();
    let mut m = lock(&meter);
    let used = m.slice_start.saturating_sub(fuel);
    if used == 0 || used + cost <= m.allowance {
        return false;
    }
    end_slice(caller, &mut m, fuel);
    true
}

/// After an import: takes `cost` from the store's fuel and sets the store's interval to what
/// is left of the slice; returns whether the slice must end now.
pub fn charge<T: Metered>(caller: &mut Caller<'_, T>, cost: u64) -> bool {
    if cost == 0 {
        return false;
    }
    let Ok(fuel) = caller.get_fuel() else {
        return false;
    };
    let fuel = fuel.saturating_sub(cost);
    let meter = caller.data().meter().clone();
    let mut m = lock(&meter);
    m.charged += cost;
    let used = m.slice_start.saturating_sub(fuel);
    let left = m.allowance.saturating_sub(used);
    if fuel == 0 {
        // Out of the handler's fuel: the next operator traps, as it would have.
        let _ = caller.set_fuel(0);
        return false;
    }
    if left >= (m.slice / 8).max(1) {
        // The script's next operators stop where the slice ends.
        let _ = caller.set_fuel(fuel);
        let _ = caller.fuel_async_yield_interval(Some(left));
        m.interval = left;
        m.interval_start = fuel;
        false
    } else {
        end_slice(caller, &mut m, fuel);
        true
    }
}

/// Ends the slice at `fuel`: the store's interval back to a whole slice from here, and the
/// meter says where the slice ended.
fn end_slice<T>(caller: &mut Caller<'_, T>, m: &mut Meter, fuel: u64) {
    let _ = caller.set_fuel(fuel);
    let _ = caller.fuel_async_yield_interval(Some(m.slice));
    m.interval = m.slice;
    m.interval_start = fuel;
    m.ended_at = Some(fuel);
}

/// What an import costs the host before the world's work: its base and the bytes it copied.
pub fn host_cost(costs: &HostCosts, bytes: u64) -> u64 {
    costs
        .per_call
        .saturating_add(bytes.saturating_mul(costs.per_kib_copied) / 1024)
}
