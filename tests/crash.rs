//! The command line killed (SIGKILL) at random moments of an import, a backup and a restore: the company
//! file always reopens whole, with the import there entirely or not at all.
//!
//! The moments come from a seed, printed with any failure: `SUANPAN_CRASH_SEED=<seed>` draws the same
//! ones again. `SUANPAN_CRASH_KILLS` sets how many kills in all (20 by default; `scripts/crash.sh` runs
//! 100 against the release build named by `SUANPAN_CRASH_BIN`), `SUANPAN_CRASH_LINES` the order lines of
//! the imported file.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const PASSWORD: &str = "secret-123";
const CUSTOMERS: usize = 500;
const PRODUCTS: usize = 100;

fn binary() -> PathBuf {
    std::env::var_os("SUANPAN_CRASH_BIN").map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_suanpan")), PathBuf::from)
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The command line on `db` as the owner.
fn suanpan(db: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(binary());
    command
        .arg("--db")
        .arg(db)
        .args(args)
        .env("SUANPAN_PASSWORD", PASSWORD)
        .env("SUANPAN_USER", "boss")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null());
    command
}

/// Runs to the end; its standard output, after asserting that it succeeded.
fn run(db: &Path, args: &[&str]) -> String {
    let output = suanpan(db, args).output().expect("the suanpan binary runs");
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// How long a run to the end takes.
fn timed_run(db: &Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    run(db, args);
    started.elapsed()
}

/// Starts the command and kills it `at` after its start. None when it was killed mid-way; how long it
/// took when it ended on its own first (it must have succeeded; `context` says which run failed).
fn kill_at(mut command: Command, at: Duration, context: &str) -> Option<Duration> {
    let started = Instant::now();
    let mut child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("the suanpan binary starts");
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "{context}: the run ended on its own but failed: {status}");
            return Some(started.elapsed());
        }
        let left = at.saturating_sub(started.elapsed());
        if left.is_zero() {
            child.kill().expect("kill -9");
            child.wait().expect("reaped");
            return None;
        }
        std::thread::sleep(left.min(Duration::from_millis(2)));
    }
}

/// Kills `kills` runs of a command, the i-th at a moment drawn within the i-th of `kills` equal slices
/// of its work (from `from` after its start to the end), so that together they cover all of it.
/// `lay` lays the files anew and gives the command; `check` judges the files after each run, killed
/// or not, given what to print with a failure. A run that ended before its moment (the machine got
/// faster than when `full` was measured) counts no kill: it is done again with the slices scaled to
/// the time it took.
fn kill_series(
    what: &str,
    seed: u64,
    kills: u64,
    from: Duration,
    full: Duration,
    mut lay: impl FnMut() -> Command,
    mut check: impl FnMut(&str),
) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut whole = full;
    let mut runs_to_the_end = 0;
    for kill in 0..kills {
        let fraction = (kill as f64 + rng.random::<f64>()) / kills as f64;
        loop {
            let at = from + whole.saturating_sub(from).mul_f64(fraction);
            let context = format!(
                "{what}: seed {seed} (SUANPAN_CRASH_SEED={seed}), kill {kill} of {kills} at {} ms ({:.0} % of {} ms)",
                at.as_millis(),
                fraction * 100.0,
                whole.as_millis()
            );
            let outcome = kill_at(lay(), at, &context);
            check(&context);
            match outcome {
                None => break,
                Some(took) => {
                    whole = took;
                    runs_to_the_end += 1;
                    assert!(runs_to_the_end <= kills, "{context}: the runs keep ending before their moment");
                }
            }
        }
    }
    eprintln!(
        "{what}: seed {seed}: {kills} runs killed mid-way (from {} ms to {} ms after the start), \
         {runs_to_the_end} ran to the end first; every file whole",
        from.as_millis(),
        whole.as_millis()
    );
}

/// What a company file holds, as far as a crash could tear it: the rows of every table an import, a
/// backup or a restore touches, and the indexes (a bulk load drops and rebuilds them).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Contents {
    counts: Vec<(&'static str, i64)>,
    indexes: Vec<String>,
}

/// Opens `file` as SQLite does after a crash (replaying its log) and reads its contents, or says why
/// it is not a whole file: `integrity_check` not ok, a dangling reference, a table missing.
fn contents(file: &Path) -> Result<Contents, String> {
    let db = rusqlite::Connection::open_with_flags(file, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(|e| format!("cannot open: {e}"))?;
    let integrity: String =
        db.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| format!("integrity_check: {e}"))?;
    if integrity != "ok" {
        return Err(format!("integrity_check: {integrity}"));
    }
    let dangling = db
        .prepare("PRAGMA foreign_key_check")
        .and_then(|mut s| s.query_map([], |_| Ok(())).map(|rows| rows.count()))
        .map_err(|e| format!("foreign_key_check: {e}"))?;
    if dangling > 0 {
        return Err(format!("{dangling} rows refer to rows that are not there"));
    }
    let mut counts = Vec::new();
    for table in
        ["customers", "products", "orders", "order_lines", "import_batches", "import_batch_records", "audit_log"]
    {
        let count: i64 = db
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .map_err(|e| format!("{table}: {e}"))?;
        counts.push((table, count));
    }
    let unfinished: i64 = db
        .query_row("SELECT count(*) FROM import_batches WHERE finished_at IS NULL", [], |r| r.get(0))
        .map_err(|e| format!("import_batches: {e}"))?;
    if unfinished > 0 {
        return Err(format!("{unfinished} import batches were never finished"));
    }
    let mut indexes: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| format!("indexes: {e}"))?;
    indexes.sort();
    Ok(Contents { counts, indexes })
}

/// A company file with customers and products, and an orders file of `lines` lines for them.
struct Setup {
    dir: tempfile::TempDir,
    company: PathBuf,
    orders: PathBuf,
}

fn setup(lines: usize) -> Setup {
    let dir = tempfile::tempdir().expect("temp dir");
    let company = dir.path().join("company.sqlite");
    let init = suanpan(&company, &["init", "--owner", "boss"]).env_remove("SUANPAN_USER").output().expect("init");
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    let customers = dir.path().join("customers.csv");
    let mut text = String::from("code,name,phone\n");
    for i in 0..CUSTOMERS {
        text.push_str(&format!("C{i:05},客户{i}号商行,1390000{i:04}\n"));
    }
    std::fs::write(&customers, text).expect("customers file");
    run(&company, &["import", "customers", customers.to_str().expect("utf-8 path")]);
    let products = dir.path().join("products.csv");
    let mut text = String::from("sku,name,standard_price,cost_price\n");
    for i in 0..PRODUCTS {
        text.push_str(&format!("P{i:04},商品{i},{}.50,{}.00\n", 10 + i, 5 + i));
    }
    std::fs::write(&products, text).expect("products file");
    run(&company, &["import", "products", products.to_str().expect("utf-8 path")]);

    let orders = dir.path().join("orders.csv");
    let mut text = String::from("order_no,order_date,customer_code,salesperson,sku,quantity,unit_price,status\n");
    for i in 0..lines {
        let order = i / 3;
        let (month, day) = (1 + order % 12, 1 + order % 28);
        let status = ["delivered", "confirmed", "draft"][order % 3];
        text.push_str(&format!(
            "SO{order:07},2024-{month:02}-{day:02},C{:05},boss,P{:04},{},{}.00,{status}\n",
            order % CUSTOMERS,
            i % PRODUCTS,
            1 + i % 5,
            10 + i % 90
        ));
    }
    std::fs::write(&orders, text).expect("orders file");
    Setup { dir, company, orders }
}

/// Copies a closed company file (and any log beside it) to `to`, removing whatever `to` had.
fn copy_company(from: &Path, to: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let (source, target) = (with_suffix(from, suffix), with_suffix(to, suffix));
        let _ = std::fs::remove_file(&target);
        if source.exists() {
            std::fs::copy(&source, &target).expect("copy");
        }
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

/// This run's seed and how many of the kills go to `part` (of 10).
fn plan(part: u64) -> (u64, u64) {
    let seed = env_number(
        "SUANPAN_CRASH_SEED",
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64),
    );
    (seed, (env_number("SUANPAN_CRASH_KILLS", 20) * part).div_ceil(10))
}

/// When the program has opened the file and logged in, and real work begins.
fn start_up_time(company: &Path) -> Duration {
    timed_run(company, &["imports", "list"])
}

/// How many batches the engine lists for a file name, read through the command line as a user would.
fn listed_imports(company: &Path, file_name: &str) -> usize {
    run(company, &["imports", "list"]).lines().filter(|l| l.contains(file_name)).count()
}

#[test]
fn an_import_killed_at_any_moment_is_there_wholly_or_not_at_all() {
    let (seed, kills) = plan(6);
    let lines = env_number("SUANPAN_CRASH_LINES", 80_000) as usize;
    let s = setup(lines);
    let base = s.dir.path().join("base.sqlite");
    copy_company(&s.company, &base);
    let before = contents(&base).expect("the company before the import");
    let orders = s.orders.to_str().expect("utf-8 path");
    let start_up = start_up_time(&s.company);
    let full = timed_run(&s.company, &["import", "orders", orders]);
    let after = contents(&s.company).expect("the company after the import");
    let bytes = std::fs::metadata(&s.orders).expect("orders file").len();
    if lines >= 80_000 {
        assert!(suanpan::io::bulk::large(bytes), "the file is loaded in bulk, foreign keys off, indexes rebuilt");
    }
    assert_ne!(before.counts, after.counts, "the import wrote something");
    assert_eq!(listed_imports(&s.company, "orders.csv"), 1);

    let work = s.dir.path().join("work.sqlite");
    let what = format!("import of {lines} order lines");
    let lay = || {
        copy_company(&base, &work);
        suanpan(&work, &["import", "orders", orders])
    };
    kill_series(&what, seed, kills, start_up.mul_f64(0.8), full, lay, |context| {
        let found = contents(&work).unwrap_or_else(|why| panic!("{context}: {why}"));
        let landed = if found == before {
            false
        } else if found == after {
            true
        } else {
            panic!("{context}: half an import: {:?}, neither {:?} nor {:?}", found.counts, before.counts, after.counts)
        };
        assert_eq!(listed_imports(&work, "orders.csv"), usize::from(landed), "{context}: the list of imports");
    });
}

/// A company with orders imported, and a copy of it made before one more customer was added: the two
/// states a backup or a restore may leave.
fn company_in_two_states(s: &Setup) -> (PathBuf, Contents, Contents) {
    run(&s.company, &["import", "orders", s.orders.to_str().expect("utf-8 path")]);
    let earlier = s.dir.path().join("earlier.sqlite");
    run(&s.company, &["backup", earlier.to_str().expect("utf-8 path")]);
    run(&s.company, &["customers", "add", "--name", "备份之后的客户"]);
    let old = contents(&earlier).expect("the earlier copy");
    let new = contents(&s.company).expect("the company now");
    assert_ne!(old, new);
    (earlier, old, new)
}

#[test]
fn a_backup_killed_at_any_moment_leaves_the_previous_copy_or_a_whole_new_one() {
    let (seed, kills) = plan(2);
    let s = setup(env_number("SUANPAN_CRASH_LINES", 80_000) as usize / 2);
    let (previous, old, new) = company_in_two_states(&s);
    let target = s.dir.path().join("backup.sqlite");
    let target_text = target.to_str().expect("utf-8 path");
    let start_up = start_up_time(&s.company);
    copy_company(&previous, &target);
    let full = timed_run(&s.company, &["backup", target_text]);
    assert_eq!(contents(&target), Ok(new.clone()));

    let lay = || {
        copy_company(&previous, &target);
        suanpan(&s.company, &["backup", target_text])
    };
    kill_series("backup", seed, kills, start_up.mul_f64(0.8), full, lay, |context| {
        assert_eq!(contents(&s.company).as_ref(), Ok(&new), "{context}: the company file itself");
        if target.exists() {
            let found = contents(&target).unwrap_or_else(|why| panic!("{context}: a torn backup: {why}"));
            assert!(found == old || found == new, "{context}: the backup holds {:?}", found.counts);
            assert_eq!(listed_imports(&target, "orders.csv"), 1, "{context}: the backup opens in Suanpan");
        }
    });
}

#[test]
fn a_restore_killed_at_any_moment_leaves_the_old_file_or_the_restored_one() {
    let (seed, kills) = plan(2);
    let s = setup(env_number("SUANPAN_CRASH_LINES", 80_000) as usize / 2);
    let (backup, old, new) = company_in_two_states(&s);
    let backup_text = backup.to_str().expect("utf-8 path");
    let current = s.dir.path().join("current.sqlite");
    copy_company(&s.company, &current);
    let start_up = start_up_time(&s.company);
    let full = timed_run(&s.company, &["restore", backup_text]);
    assert_eq!(contents(&s.company), Ok(old.clone()));

    let lay = || {
        copy_company(&current, &s.company);
        suanpan(&s.company, &["restore", backup_text])
    };
    kill_series("restore", seed, kills, start_up.mul_f64(0.8), full, lay, |context| {
        let found = contents(&s.company).unwrap_or_else(|why| panic!("{context}: a torn company file: {why}"));
        assert!(found == old || found == new, "{context}: the company file holds {:?}", found.counts);
        assert_eq!(listed_imports(&s.company, "orders.csv"), 1, "{context}: it opens in Suanpan");
    });
}
