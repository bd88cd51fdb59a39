//! The sample world with real scripts: what each sample scene does, determinism, the hostile
//! scripts' outcomes beside well-behaved ones, storage that lasts across runs and refuses what it
//! cannot read.

use std::path::{Path, PathBuf};

use aether_sample_world::{Scene, ScriptSpec, Storage, TickReport, WorldRun};
use aether_world::{SchedulerPolicy, ScriptState};
use aether_world_types::PlayerId;

fn scene(name: &str) -> Scene {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../assets/worlds/{name}.json"));
    Scene::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("world")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(scene: &Scene, storage: Storage, ticks: u64) -> Vec<TickReport> {
    let mut run = WorldRun::new(scene, Vec::new(), storage).unwrap_or_else(|e| panic!("{e}"));
    (0..ticks)
        .map(|_| run.tick().unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

fn messages(reports: &[TickReport], script: u32) -> Vec<(u64, Option<PlayerId>, String)> {
    reports
        .iter()
        .flat_map(|r| {
            r.log
                .messages
                .iter()
                .filter(|(s, _, _)| s.0 == script)
                .map(|(_, to, text)| (r.tick, *to, text.clone()))
        })
        .collect()
}

#[test]
fn the_village_greets_visitors_drops_crates_into_the_well_and_echoes_players() {
    let reports = run(&scene("village"), Storage::in_memory().unwrap(), 200);
    let greetings = messages(&reports, 1);
    assert_eq!(
        greetings,
        [
            (0, Some(PlayerId(1)), "Welcome, Ada!".to_owned()),
            (30, Some(PlayerId(2)), "Welcome, Bram!".to_owned()),
            (90, Some(PlayerId(3)), "Welcome, Cleo!".to_owned()),
            (150, None, "A player left the village.".to_owned()),
            (180, None, "A player left the village.".to_owned()),
        ]
    );
    // What players said came back to them as RPCs, in the tick they said it.
    let echoes: Vec<(u64, u32, Vec<u8>)> = reports
        .iter()
        .flat_map(|r| {
            r.log
                .rpcs
                .iter()
                .map(|(_, to, b)| (r.tick, to.0, b.clone()))
        })
        .collect();
    assert_eq!(
        echoes,
        [
            (40, 1, b"Hello, village!".to_vec()),
            (60, 2, b"Anyone seen my crate?".to_vec())
        ]
    );
    // A crate a second (ticks 20, 40, …), each with a sound; crates reach the well, which
    // raises entered-area events the script answers by removing its own crates.
    let spawned: Vec<u64> = reports
        .iter()
        .filter(|r| !r.log.spawned.is_empty())
        .map(|r| r.tick)
        .collect();
    assert_eq!(spawned, (1..10).map(|i| i * 20).collect::<Vec<_>>());
    let entered = reports
        .iter()
        .flat_map(|r| &r.log.entered)
        .filter(|(_, a)| a.0 == 1)
        .count();
    let destroyed = reports.iter().map(|r| r.log.destroyed.len()).sum::<usize>();
    assert!(
        entered >= 3 && destroyed >= 3,
        "entered {entered}, destroyed {destroyed}"
    );
    let collisions = reports
        .iter()
        .map(|r| r.log.collisions.len())
        .sum::<usize>();
    let thuds = reports
        .iter()
        .flat_map(|r| &r.log.sounds)
        .filter(|(_, s, _)| s == "thud")
        .count();
    assert!(
        collisions >= 2 && thuds >= 2,
        "collisions {collisions}, thuds {thuds}"
    );
    // Nothing faulted, nobody waited.
    for r in &reports {
        for s in &r.usage.scripts {
            assert!(
                s.faults.is_empty() && s.state == ScriptState::Ready,
                "tick {}: {s:?}",
                r.tick
            );
        }
    }
}

#[test]
fn the_arena_balls_are_pulled_together_and_collide() {
    let reports = run(&scene("arena"), Storage::in_memory().unwrap(), 200);
    let collisions = reports
        .iter()
        .map(|r| r.log.collisions.len())
        .sum::<usize>();
    let entered = reports.iter().map(|r| r.log.entered.len()).sum::<usize>();
    assert!(collisions >= 10, "{collisions} collisions");
    assert!(entered >= 5, "{entered} entries into the pond edge");
    // The herder learnt all twelve balls at tick 0 and pushes them every tick.
    assert_eq!(
        reports[0]
            .log
            .delivered
            .iter()
            .filter(|e| **e == "entity_spawned")
            .count(),
        12
    );
}

#[test]
fn the_same_scene_gives_the_same_hash_every_tick() {
    for name in ["village", "arena", "rowdy"] {
        let s = scene(name);
        let a: Vec<u64> = run(&s, Storage::in_memory().unwrap(), 120)
            .iter()
            .map(|r| r.hash)
            .collect();
        let b: Vec<u64> = run(&s, Storage::in_memory().unwrap(), 120)
            .iter()
            .map(|r| r.hash)
            .collect();
        assert_eq!(a, b, "{name}");
        let distinct: std::collections::BTreeSet<u64> = a.iter().copied().collect();
        assert_eq!(
            distinct.len(),
            a.len(),
            "{name}: the hash changes every tick"
        );
    }
}

#[test]
fn hostile_scripts_get_their_outcomes_and_the_village_keeps_its_behaviour() {
    let rowdy = scene("rowdy");
    let reports = run(&rowdy, Storage::in_memory().unwrap(), 200);
    // The same village without the four hostile scripts.
    let mut calm = rowdy.clone();
    calm.scripts.truncate(2);
    let calm_reports = run(&calm, Storage::in_memory().unwrap(), 200);
    assert_eq!(
        messages(&reports, 1),
        messages(&calm_reports, 1),
        "welcome's greetings"
    );
    assert_eq!(reports.len(), 200, "the world kept ticking");

    let policy = SchedulerPolicy::default();
    let last = reports.last().unwrap();
    let state = |id: u32| &last.usage.scripts[id as usize - 1].state;
    // endless (3): cancelled after 10 suspended ticks, three times: disabled.
    assert!(
        matches!(state(3), ScriptState::Disabled { reason } if reason.contains("did not finish within 10 ticks")),
        "{:?}",
        state(3)
    );
    // trap (6): a fault every event, disabled after three.
    assert!(
        matches!(state(6), ScriptState::Disabled { reason } if reason.contains("unreachable")),
        "{:?}",
        state(6)
    );
    // bomber (4): throttled, counted; never more than its rate allows.
    let throttled: u32 = reports
        .iter()
        .filter_map(|r| r.usage.scripts[3].refused.get("entity_spawn: throttled"))
        .sum();
    let bombs = reports
        .iter()
        .flat_map(|r| &r.log.spawned)
        .filter(|(_, _, _, by)| by.0 == 4)
        .count();
    // Every spawn its rate let through either spawned a crate or was refused because the
    // corner it piles them in already held more than eight.
    let crowded: u32 = reports
        .iter()
        .filter_map(|r| {
            r.usage.scripts[3]
                .refused
                .get("entity_spawn: not_permitted")
        })
        .sum();
    assert!(throttled > 10_000, "{throttled}");
    assert_eq!(
        bombs + crowded as usize,
        10 + 199 / 2,
        "a full bucket of 10, then 10 a second"
    );
    assert!(
        bombs > 9 && crowded > 0,
        "{bombs} spawned, {crowded} refused"
    );
    assert_eq!(*state(4), ScriptState::Ready);
    // storage (5): throttled, then refused at its quota; storage holds nothing past it.
    let quota: u32 = reports
        .iter()
        .filter_map(|r| {
            r.usage.scripts[4]
                .refused
                .get("storage_write: quota_exceeded")
        })
        .sum();
    assert!(quota > 0);
    // The world budget is never passed by more than one quantum, every tick.
    for r in &reports {
        assert!(
            r.usage.fuel_used <= r.usage.fuel_budget + policy.quantum,
            "tick {}",
            r.tick
        );
    }
}

#[test]
fn storage_holds_nothing_past_the_quota() {
    let rowdy = scene("rowdy");
    let mut run = WorldRun::new(&rowdy, Vec::new(), Storage::in_memory().unwrap()).unwrap();
    for _ in 0..200 {
        run.tick().unwrap();
    }
    let quota = run.scripts()[4].limits.max_storage_bytes;
    let world = run.world();
    let kept: u64 = world
        .storage()
        .dump("storage")
        .unwrap()
        .iter()
        .map(|(k, v)| (k.len() + v.len()) as u64)
        .sum();
    assert!(kept <= quota && kept > quota / 2, "kept {kept} of {quota}");
}

#[test]
fn storage_on_disk_lasts_from_run_to_run() {
    let dir = scratch("lasts");
    let file = dir.join("village.redb");
    let village = scene("village");
    let first = run(&village, Storage::open(&file).unwrap(), 40);
    assert_eq!(messages(&first, 1)[0].2, "Welcome, Ada!");
    let second = run(&village, Storage::open(&file).unwrap(), 40);
    assert_eq!(messages(&second, 1)[0].2, "Welcome back, Ada!");
    assert_eq!(messages(&second, 1)[1].2, "Welcome back, Bram!");
    let storage = Storage::open(&file).unwrap();
    let mut visits = storage.dump("welcome").unwrap();
    visits.sort();
    assert_eq!(
        visits,
        [
            (b"Ada".to_vec(), 2u32.to_le_bytes().to_vec()),
            (b"Bram".to_vec(), 2u32.to_le_bytes().to_vec())
        ]
    );
}

#[test]
fn a_storage_file_that_cannot_be_read_is_refused_untouched() {
    let dir = scratch("refused");
    let junk = dir.join("junk.redb");
    let bytes: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&junk, &bytes).unwrap();
    let err = Storage::open(&junk).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "{}: cannot open the world's storage",
            junk.display()
        )),
        "{err}"
    );
    assert!(
        std::fs::read(&junk).unwrap() == bytes,
        "the file is left as it was"
    );

    // A file from a newer storage format.
    let newer = dir.join("newer.redb");
    {
        let db = redb::Database::create(&newer).unwrap();
        let w = db.begin_write().unwrap();
        {
            let mut meta = w
                .open_table(redb::TableDefinition::<&str, u64>::new("meta"))
                .unwrap();
            meta.insert("format", 99).unwrap();
        }
        w.commit().unwrap();
    }
    let before = std::fs::read(&newer).unwrap();
    let err = Storage::open(&newer).unwrap_err().to_string();
    assert!(
        err.contains("written by a newer studio (storage format 99"),
        "{err}"
    );
    assert!(
        std::fs::read(&newer).unwrap() == before,
        "the newer file is left as it was"
    );
}

#[test]
fn a_script_refused_at_load_is_named_and_either_stops_the_world_or_is_left_out() {
    let dir = scratch("refused-script");
    let bad = dir.join("forbidden.wat");
    std::fs::write(
        &bad,
        r#"(module (import "env" "clock_ms" (func (result i64)))
             (memory (export "memory") 1)
             (global (export "__ident_ptr") i32 (i32.const 0)) (global (export "__ident_len") i32 (i32.const 0))
             (func (export "init") (result i32) (i32.const 1))
             (func (export "on_event") (param i32 i32) (result i32) (i32.const 0)))"#,
    )
    .unwrap();
    let spec = ScriptSpec::from_path(&bad).unwrap();
    let err =
        WorldRun::new(&scene("village"), vec![spec], Storage::in_memory().unwrap()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with(&bad.display().to_string()), "{msg}");
    assert!(msg.contains("env.clock_ms"), "{msg}");
    // As a game server: the others run, the refused one is listed and its id left unused.
    let village = scene("village");
    let mut specs = aether_sample_world::run::scene_scripts(&village);
    let own = specs.len();
    specs.insert(1, ScriptSpec::from_path(&bad));
    let mut run = WorldRun::running_what_loads(&village, specs, Storage::in_memory().unwrap())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(run.refused().len(), 1);
    assert_eq!(run.refused()[0].to_string(), msg);
    let ids: Vec<u32> = run.scripts().iter().map(|s| s.id.0).collect();
    assert_eq!(
        ids,
        [1].into_iter()
            .chain(3..=own as u32 + 1)
            .collect::<Vec<_>>()
    );
    let first = run.tick().unwrap();
    assert_eq!(first.usage.scripts.len(), own);
    assert!(
        first
            .log
            .messages
            .iter()
            .any(|(_, _, t)| t == "Welcome, Ada!")
    );
    let err = ScriptSpec::from_path(&dir.join("script.txt"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("cannot") || err.contains("not a script"),
        "{err}"
    );
}

#[test]
fn a_world_script_mod_folder_runs_and_its_limits_are_checked() {
    let dir = scratch("mod");
    let folder = dir.join("welcome");
    std::fs::create_dir_all(&folder).unwrap();
    let wat = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/worlds/scripts/welcome.wat");
    std::fs::write(folder.join("welcome.wasm"), wat::parse_file(&wat).unwrap()).unwrap();
    let manifest = |limits: &str| {
        format!(
            r#"{{"kind": "world_script", "id": "welcome", "name": "welcome", "author": "Ada",
                "version": "1.0.0", "sandbox": "wasm", "aether_world_types": "1.0.0",
                "priority": 7, "limits": {limits}}}"#
        )
    };
    std::fs::write(
        folder.join("manifest.json"),
        manifest(r#"{"max_cpu_ms_per_tick": 0.5}"#),
    )
    .unwrap();
    let mut calm = scene("village");
    calm.scripts.clear();
    let spec = ScriptSpec::from_path(&folder).unwrap();
    let mut run = WorldRun::new(&calm, vec![spec], Storage::in_memory().unwrap()).unwrap();
    assert_eq!(run.scripts()[0].priority, 7);
    assert_eq!(run.scripts()[0].limits.max_cpu_ms_per_tick, 0.5);
    let r = run.tick().unwrap();
    assert_eq!(r.log.messages[0].2, "Welcome, Ada!");

    std::fs::write(
        folder.join("manifest.json"),
        manifest(r#"{"max_entity_spawns_per_second": 500}"#),
    )
    .unwrap();
    let spec = ScriptSpec::from_path(&folder).unwrap();
    let err = WorldRun::new(&calm, vec![spec], Storage::in_memory().unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "`max_entity_spawns_per_second` asks for 500, but the world grants at most 10"
        ),
        "{err}"
    );

    std::fs::write(
        folder.join("manifest.json"),
        manifest("{}").replace("\"1.0.0\", \"sandbox\"", "\"2.0.0\", \"sandbox\""),
    )
    .unwrap();
    let spec = ScriptSpec::from_path(&folder).unwrap();
    let err = WorldRun::new(&calm, vec![spec], Storage::in_memory().unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("announces \"welcome 1.0.0\" but its manifest says \"welcome 2.0.0\""),
        "{err}"
    );
}

#[test]
fn rays_neighbours_velocities_objectives_and_markers_in_the_sample_world() {
    use aether_sample_world::SampleWorld;
    use aether_world::{EntityApi, PhysicsApi, ScriptId, UIApi};
    use aether_world_types::{CallCode, EntityId, Vec2};
    // A corridor: a crate at x 3.5 and a ball at x 8.5 on row 1, a mountain at x 6 on row 3.
    let scene = Scene::parse(
        r#"{"name": "Corridor", "format": 1, "map": ["..........", "..........", "..........", "......^..."],
            "entities": [{"kind": "crate", "x": 3.5, "y": 1.5}, {"kind": "ball", "x": 8.5, "y": 1.5},
                         {"kind": "crate", "x": 8.5, "y": 3.5}],
            "players": [{"id": 1, "name": "Ada"}]}"#,
        PathBuf::from("."),
    )
    .unwrap();
    let mut w = SampleWorld::new(&scene, Storage::in_memory().unwrap());
    let me = ScriptId(1);
    w.begin_tick();
    w.end_tick().unwrap();
    let v = |x, y| Vec2::new(x, y);
    // Kinds, and neighbours walked in id order.
    assert_eq!(w.entity_kind(me, EntityId(2)).unwrap(), "ball");
    assert_eq!(w.entity_kind(me, EntityId(9)), Err(CallCode::NotFound));
    let near = |w: &SampleWorld, after| w.entity_next_near(me, v(8.5, 2.5), 1.5, after).unwrap();
    assert_eq!(near(&w, None), Some(EntityId(2)));
    assert_eq!(near(&w, Some(EntityId(2))), Some(EntityId(3)));
    assert_eq!(near(&w, Some(EntityId(3))), None);
    // A ray east along row 1 meets the crate first, then (from past it) the ball; along row 3
    // the mountain stops it before the crate behind.
    assert_eq!(
        w.raycast(me, v(0.5, 1.5), v(1.0, 0.0), 20.0).unwrap(),
        Some(EntityId(1))
    );
    assert_eq!(
        w.raycast(me, v(4.5, 1.5), v(1.0, 0.0), 20.0).unwrap(),
        Some(EntityId(2))
    );
    assert_eq!(
        w.raycast(me, v(4.5, 1.5), v(1.0, 0.0), 2.0).unwrap(),
        None,
        "too short"
    );
    assert_eq!(
        w.raycast(me, v(0.5, 3.5), v(1.0, 0.0), 20.0).unwrap(),
        None,
        "a wall first"
    );
    // A velocity moves the ball west on the next step.
    let before = w.entity_position(me, EntityId(2)).unwrap();
    w.set_velocity(me, EntityId(2), v(-4.0, 0.0)).unwrap();
    assert_eq!(
        w.set_velocity(me, EntityId(2), v(500.0, 0.0)),
        Err(CallCode::InvalidArgument)
    );
    w.begin_tick();
    w.end_tick().unwrap();
    assert!(w.entity_position(me, EntityId(2)).unwrap().x < before.x);
    // Objectives and markers: shown, moved by label, at most 32 per script.
    w.set_objective(me, None, "Reach the well!").unwrap();
    assert_eq!(
        w.set_objective(me, Some(aether_world_types::PlayerId(7)), "x"),
        Err(CallCode::NotFound)
    );
    w.place_marker(me, v(2.5, 2.5), "well").unwrap();
    w.place_marker(me, v(3.5, 2.5), "well").unwrap();
    assert_eq!(w.markers().len(), 1, "the same label moves the marker");
    for i in 1..32 {
        w.place_marker(me, v(1.5, 0.5), &format!("m{i}")).unwrap();
    }
    assert_eq!(
        w.place_marker(me, v(1.5, 0.5), "one more"),
        Err(CallCode::QuotaExceeded)
    );
    assert_eq!(
        w.place_marker(me, v(99.0, 0.5), "off"),
        Err(CallCode::InvalidArgument)
    );
    assert_eq!(
        w.objectives().get(&None).map(|(_, t)| t.as_str()),
        Some("Reach the well!")
    );
}

/// A script that spawns crates when the world starts, at the points `xs` on row 8.5.
fn spawner(name: &str, xs: &[f32]) -> Vec<u8> {
    let ident = format!("{name} 1.0.0");
    let spawns: String = xs
        .iter()
        .map(|x| {
            format!(
                "(drop (call $spawn (i32.const 64) (i32.const 5) (f32.const {x}) (f32.const 8.5)))"
            )
        })
        .collect();
    wat::parse_str(format!(
        r#"(module
  (import "aether" "entity_spawn" (func $spawn (param i32 i32 f32 f32) (result i64)))
  (memory (export "memory") 1)
  (global (export "__ident_ptr") i32 (i32.const 16))
  (global (export "__ident_len") i32 (i32.const 20))
  (data (i32.const 16) "\20\00\00\00")
  (data (i32.const 20) "\{:02x}\00\00\00")
  (data (i32.const 32) "{ident}")
  (data (i32.const 64) "crate")
  (func (export "init") (result i32) (i32.const 1))
  (func (export "on_event") (param i32 i32) (result i32)
    ;; 0: Start
    (if (i32.eqz (i32.load8_u (local.get 0))) (then {spawns}))
    (i32.const 0)))"#,
        ident.len()
    ))
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn a_script_that_piles_spawned_entities_on_one_spot_pays_for_each_overlap() {
    let row = format!("\"{}\"", ".".repeat(16));
    let text = format!(
        r#"{{"name": "Plain", "description": "", "format": 1, "ticks": 2,
  "map": [{}], "entities": [], "players": []}}"#,
        vec![row; 16].join(", ")
    );
    let scene = Scene::parse(&text, PathBuf::from(env!("CARGO_MANIFEST_DIR"))).unwrap();
    let spec = |label: &str, bytes| ScriptSpec {
        label: label.into(),
        bytes,
        priority: 10,
        request: Default::default(),
        identity: None,
    };
    let scripts = vec![
        spec("piler", spawner("piler", &[8.5; 5])),
        spec(
            "spreader",
            spawner("spreader", &[1.5, 4.5, 7.5, 10.5, 13.5]),
        ),
    ];
    let mut run = WorldRun::new(&scene, scripts, Storage::in_memory().unwrap()).unwrap();
    let report = run.tick().unwrap();
    assert_eq!(report.log.spawned.len(), 10, "every crate spawned");
    let fuel = |i: usize| report.usage.scripts[i].fuel_used;
    // The same code, the same calls; the piler's crates overlap 0 + 1 + 2 + 3 + 4 others.
    assert_eq!(
        fuel(0) - fuel(1),
        10 * aether_sample_world::world::work::PER_OVERLAP
    );
}

/// A pile has a bound: a scene may not place an entity overlapping more than eight others, nor
/// more entities than a world holds, and a spawn onto a spot where more than eight overlap is
/// `not_permitted`. (A thousand crates on one point took 9 s and 1.4 GB for one tick: every one
/// of their 499,500 pairs touches.)
#[test]
fn piles_of_entities_are_refused_in_scenes_and_spawns() {
    let row = format!("\"{}\"", ".".repeat(16));
    let plain = |entities: &str| {
        format!(
            r#"{{"name": "Plain", "description": "", "format": 1, "ticks": 2,
  "map": [{}], "entities": [{entities}], "players": []}}"#,
            vec![row.clone(); 16].join(", ")
        )
    };
    let crates = |n: usize, x: f32| vec![format!(r#"{{"kind": "crate", "x": {x}, "y": 8.5}}"#); n];
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // Nine on one point: each overlaps eight, the most allowed.
    Scene::parse(&plain(&crates(9, 8.5).join(", ")), base.clone()).expect("a pile of nine");
    let problem = Scene::parse(&plain(&crates(1_000, 8.5).join(", ")), base.clone())
        .unwrap_err()
        .to_string();
    assert!(
        problem.contains("entities[0] (crate): at (8.5, 8.5) it overlaps 999 other entities; at most 8 may overlap one")
            && problem.contains("995 more entities overlap more than 8 others"),
        "{problem}"
    );
    let many: Vec<String> = (0..4_097)
        .map(|i| {
            format!(
                r#"{{"kind": "crate", "x": {}.5, "y": {}.5}}"#,
                i % 16,
                (i / 16) % 16
            )
        })
        .collect();
    let problem = Scene::parse(&plain(&many.join(", ")), base.clone())
        .unwrap_err()
        .to_string();
    assert!(
        problem.contains("the scene places 4097 entities; a world holds at most 4096"),
        "{problem}"
    );

    let scene = Scene::parse(&plain(""), base).unwrap();
    let scripts = vec![ScriptSpec {
        label: "piler".into(),
        bytes: spawner("piler", &[8.5; 10]),
        priority: 10,
        request: Default::default(),
        identity: None,
    }];
    let mut run = WorldRun::new(&scene, scripts, Storage::in_memory().unwrap()).unwrap();
    let report = run.tick().unwrap();
    assert_eq!(
        report.log.spawned.len(),
        9,
        "nine crates on the spot, then no more"
    );
    assert_eq!(
        report.usage.scripts[0]
            .refused
            .get("entity_spawn: not_permitted"),
        Some(&1),
        "{:?}",
        report.usage.scripts[0].refused
    );
}

/// Whether `f` panics (the panic's message kept off the test's output).
fn panics(f: impl FnOnce()) -> bool {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err()
}

#[test]
fn a_damaged_storage_file_is_refused_untouched_before_the_world_starts_or_recovered() {
    let dir = scratch("damaged");
    let file = dir.join("village.redb");
    let village = scene("village");
    run(&village, Storage::open(&file).unwrap(), 60);
    let good = std::fs::read(&file).unwrap();
    let mut outcomes = (0, 0);
    // Every 4 KiB page zeroed in turn, and a bit flipped in each: the world either refuses
    // the file (naming it, leaving it byte for byte as it was) or runs on it without a panic.
    let pages = good.len() / 4096;
    for damage in 0..pages * 2 {
        let mut bad = good.clone();
        let page = damage / 2;
        if damage % 2 == 0 {
            bad[page * 4096..(page + 1) * 4096].fill(0);
        } else {
            bad[page * 4096 + 100] ^= 0x10;
        }
        let damaged = dir.join(format!("damaged-{damage}.redb"));
        std::fs::write(&damaged, &bad).unwrap();
        let mut result = None;
        let panicked = panics(|| {
            result = Some(match Storage::open(&damaged) {
                Err(e) => Err(e.to_string()),
                Ok(storage) => {
                    // Whatever opened must run: the village's scripts read what they stored.
                    run(&village, storage, 60);
                    Ok(())
                }
            });
        });
        assert!(!panicked, "damage {damage}: a panic reached the user");
        match result.unwrap() {
            Err(message) => {
                outcomes.0 += 1;
                assert!(
                    message.starts_with(&format!(
                        "{}: cannot open the world's storage",
                        damaged.display()
                    )),
                    "damage {damage}: {message}"
                );
                assert!(
                    std::fs::read(&damaged).unwrap() == bad,
                    "damage {damage}: a refused file is left as it was"
                );
            }
            Ok(()) => outcomes.1 += 1,
        }
    }
    // The review's case: the page at 4096 zeroed.
    let mut bad = good.clone();
    bad[4096..8192].fill(0);
    std::fs::write(&file, &bad).unwrap();
    let err = Storage::open(&file).err().map(|e| e.to_string());
    assert!(
        err.as_deref().is_some_and(|e| e.contains("damaged")),
        "{err:?}"
    );
    assert!(std::fs::read(&file).unwrap() == bad);
    assert!(outcomes.0 > 0, "some damage is refused: {outcomes:?}");
}
