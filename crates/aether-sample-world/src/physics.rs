//! The world's physics: rapier2d bodies on the tile map, stepped at the world's fixed tick.
//!
//! Top-down, no gravity. Water and mountain tiles are fixed squares, the map's edge is four
//! walls, every entity is a disc (a dynamic body, or a fixed one for fixed entities) with its
//! rotation locked and some damping, so pushed things slide and stop. Stepping is deterministic:
//! bodies are inserted in entity-id order, rapier runs on one thread with its
//! `enhanced-determinism` feature (software maths, the same result on every machine), and
//! collision events are sorted before they leave this module.

use std::sync::Mutex;

use rapier2d::prelude::*;

use crate::scene::{Scene, is_solid};

/// `user_data` of colliders that belong to the map (terrain, walls), not to an entity.
const MAP: u128 = u128::MAX;

/// Linear damping of entity bodies: a pushed crate slides about a tile and stops.
const DAMPING: f32 = 1.5;

/// The physical side of the world.
pub struct Physics {
    world: PhysicsWorld,
    events: Collector,
    /// Bodies given a force since the last step (their forces are cleared after it).
    pushed: Vec<RigidBodyHandle>,
    /// Discs added since the last step (centre, radius): not in the broad phase yet.
    fresh: Vec<((f32, f32), f32)>,
}

impl std::fmt::Debug for Physics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Physics")
            .field("bodies", &self.world.bodies.len())
            .field("colliders", &self.world.colliders.len())
            .finish_non_exhaustive()
    }
}

/// Collects the pairs of entities that started touching during a step.
#[derive(Default)]
struct Collector(Mutex<Vec<(u32, u32)>>);

impl EventHandler for Collector {
    fn handle_collision_event(
        &self,
        _: &RigidBodySet,
        colliders: &ColliderSet,
        event: CollisionEvent,
        _: Option<&ContactPair>,
    ) {
        let CollisionEvent::Started(a, b, _) = event else {
            return;
        };
        let (Some(a), Some(b)) = (colliders.get(a), colliders.get(b)) else {
            return;
        };
        if a.user_data == MAP || b.user_data == MAP {
            return;
        }
        let (a, b) = (a.user_data as u32, b.user_data as u32);
        let pair = (a.min(b), a.max(b));
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(pair);
    }

    fn handle_contact_force_event(
        &self,
        _: Real,
        _: &RigidBodySet,
        _: &ColliderSet,
        _: &ContactPair,
        _: Real,
    ) {
    }

    fn handle_soft_body_tear_event(&self, _: &SoftBodySet, _: &SoftBodyTearEvent) {}
}

impl Physics {
    /// The map of `scene` as fixed colliders (solid tiles and the edges), no entities yet.
    pub fn new(scene: &Scene, ticks_per_second: u32) -> Physics {
        let mut world = PhysicsWorld::new();
        world.gravity = Vector::ZERO;
        world.integration_parameters.dt = 1.0 / ticks_per_second as f32;
        let (w, h) = (scene.width as f32, scene.height as f32);
        let map_part = |hx: f32, hy: f32, x: f32, y: f32| {
            (
                RigidBodyBuilder::fixed().translation(Vector::new(x, y)),
                ColliderBuilder::cuboid(hx, hy).user_data(MAP).friction(0.0),
            )
        };
        // The edges: walls one unit thick just outside the map.
        for (hx, hy, x, y) in [
            (w / 2.0 + 1.0, 0.5, w / 2.0, -0.5),
            (w / 2.0 + 1.0, 0.5, w / 2.0, h + 0.5),
            (0.5, h / 2.0 + 1.0, -0.5, h / 2.0),
            (0.5, h / 2.0 + 1.0, w + 0.5, h / 2.0),
        ] {
            let (body, collider) = map_part(hx, hy, x, y);
            world.insert(body, collider);
        }
        // Solid tiles, merged along each row into runs.
        for y in 0..scene.height {
            let mut x = 0;
            while x < scene.width {
                if !is_solid(scene.tiles[y * scene.width + x]) {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < scene.width && is_solid(scene.tiles[y * scene.width + x]) {
                    x += 1;
                }
                let run = (x - start) as f32;
                let (body, collider) =
                    map_part(run / 2.0, 0.5, start as f32 + run / 2.0, y as f32 + 0.5);
                world.insert(body, collider);
            }
        }
        Physics {
            world,
            events: Collector::default(),
            pushed: Vec::new(),
            fresh: Vec::new(),
        }
    }

    /// Adds the body of entity `id`: a disc of `radius` at (x, y) moving at (vx, vy).
    pub fn add(
        &mut self,
        id: u32,
        at: (f32, f32),
        velocity: (f32, f32),
        radius: f32,
        fixed: bool,
    ) -> RigidBodyHandle {
        let body = if fixed {
            RigidBodyBuilder::fixed()
        } else {
            RigidBodyBuilder::dynamic()
                .linvel(Vector::new(velocity.0, velocity.1))
                .linear_damping(DAMPING)
                .lock_rotations()
        }
        .translation(Vector::new(at.0, at.1))
        .user_data(u128::from(id));
        self.fresh.push((at, radius));
        let collider = ColliderBuilder::ball(radius)
            .user_data(u128::from(id))
            .restitution(0.4)
            .friction(0.2)
            .active_events(ActiveEvents::COLLISION_EVENTS);
        self.world.insert(body, collider).0
    }

    /// How many entity discs a disc of `radius` at `at` would overlap: those of the last step
    /// and those added since. Each is a contact the next steps must resolve (a pile of crates
    /// spawned on one spot costs the physics far more than the crates themselves).
    pub fn overlapping(&self, at: (f32, f32), radius: f32) -> usize {
        let ball = Ball::new(radius);
        let stepped = self
            .world
            .intersect_shape(
                Pose::from_translation(Vector::new(at.0, at.1)),
                &ball,
                QueryFilter::default(),
            )
            .filter(|(_, c)| c.user_data != MAP)
            .count();
        let fresh = self
            .fresh
            .iter()
            .filter(|((x, y), r)| {
                let (dx, dy) = (x - at.0, y - at.1);
                dx * dx + dy * dy < (r + radius) * (r + radius)
            })
            .count();
        stepped + fresh
    }

    /// Removes a body and its collider.
    pub fn remove(&mut self, body: RigidBodyHandle) {
        self.world.remove_body(body);
    }

    /// Where a body is, and how fast it moves.
    pub fn state(&self, body: RigidBodyHandle) -> Option<((f32, f32), (f32, f32))> {
        self.world.bodies.get(body).map(|b| {
            let (p, v) = (b.translation(), b.linvel());
            ((p.x, p.y), (v.x, v.y))
        })
    }

    /// Adds a force to a body for the next step.
    pub fn push(&mut self, body: RigidBodyHandle, force: (f32, f32)) -> bool {
        match self.world.bodies.get_mut(body) {
            Some(b) => {
                b.add_force(Vector::new(force.0, force.1), true);
                self.pushed.push(body);
                true
            }
            None => false,
        }
    }

    /// Sets a body's velocity (it keeps it until damping and collisions change it).
    pub fn set_velocity(&mut self, body: RigidBodyHandle, v: (f32, f32)) -> bool {
        match self.world.bodies.get_mut(body) {
            Some(b) => {
                b.set_linvel(Vector::new(v.0, v.1), true);
                true
            }
            None => false,
        }
    }

    /// The entity whose disc a ray from `from` along `direction` meets first within
    /// `max_distance` world units (as the world stood after the last step); `None` when it meets
    /// the map (a solid tile, the edge) first, or nothing. A ray starting inside a disc meets it.
    pub fn raycast(
        &self,
        from: (f32, f32),
        direction: (f32, f32),
        max_distance: f32,
    ) -> Option<u32> {
        let len = (direction.0 * direction.0 + direction.1 * direction.1).sqrt();
        if !(len > 0.0 && len.is_finite()) {
            return None;
        }
        let ray = Ray::new(
            Vector::new(from.0, from.1),
            Vector::new(direction.0 / len, direction.1 / len),
        );
        let (collider, _) =
            self.world
                .cast_ray(&ray, max_distance, true, QueryFilter::default())?;
        let data = self.world.colliders.get(collider)?.user_data;
        (data != MAP).then_some(data as u32)
    }

    /// Steps the world one tick; returns the pairs of entities (smaller id first) that started
    /// touching, sorted and without repeats. Forces added before the step are then cleared.
    pub fn step(&mut self) -> Vec<(u32, u32)> {
        self.world.step_with_events(&(), &self.events);
        self.fresh.clear();
        for body in self.pushed.drain(..) {
            if let Some(b) = self.world.bodies.get_mut(body) {
                b.reset_forces(false);
            }
        }
        let mut pairs =
            std::mem::take(&mut *self.events.0.lock().unwrap_or_else(|p| p.into_inner()));
        pairs.sort_unstable();
        pairs.dedup();
        pairs
    }
}
