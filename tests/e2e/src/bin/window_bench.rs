//! Start-up time and memory of the release app under Xvfb (issue 2's figures).
//!
//! `cargo build --release -p suanpan-app && xvfb-run -a cargo run --release -p suanpan-e2e --bin window_bench`
//! Uses the 100k demo company that `cargo bench --bench customers` keeps in target/bench-data
//! (made here if missing).

use std::path::PathBuf;
use std::time::Duration;

use suanpan::{Db, demo};
use suanpan_e2e::{Window, app_binary, app_memory_kib};

const RUNS: usize = 7;

#[tokio::main]
async fn main() {
    let bench_data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data");
    std::fs::create_dir_all(&bench_data).expect("bench data folder");
    let company = bench_data.join("demo-100k.sqlite");
    if !company.exists() {
        let (db, _) = Db::open(&company).await.expect("open");
        demo::generate(&db, 100).await.expect("demo");
        db.close().await;
    }
    let home = tempfile::tempdir().expect("temp dir");
    let binary = app_binary();
    println!("app: {} ({:.1} MB)", binary.display(), std::fs::metadata(&binary).expect("app").len() as f64 / 1e6);

    let mut starts = Vec::new();
    let mut memory = Vec::new();
    for run in 0..RUNS {
        let (window, started) = Window::launch(&company, home.path()).await;
        window.wait_present("#login-username").await;
        let start = started.elapsed();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (login_app_kib, ..) = app_memory_kib().expect("the app's process");
        println!("run {run}: RSS of the app at the login screen {:>4} MB", login_app_kib / 1024);
        window.type_into("#login-username", "boss").await;
        window.type_into("#login-password", demo::PASSWORD).await;
        window.click("#login-submit").await;
        window.wait_text("#customer-total", |t| t.contains("100,000")).await;
        window.wait_present("#customer-list .row[data-code]").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (app_kib, webkit_kib, pss_kib) = app_memory_kib().expect("the app's process");
        println!(
            "run {run}: start to login screen {:>4} ms; after the customers list: RSS app {:>4} MB, WebKit {:>4} MB; PSS of both {:>4} MB",
            start.as_millis(),
            app_kib / 1024,
            webkit_kib / 1024,
            pss_kib / 1024
        );
        starts.push(start);
        memory.push((app_kib, webkit_kib, pss_kib));
        window.close().await;
    }
    starts.sort();
    let median = |mut values: Vec<u64>| {
        values.sort();
        values[RUNS / 2] / 1024
    };
    println!(
        "median of {RUNS}: start to login screen {} ms; RSS app {} MB, WebKit {} MB; PSS of app and WebKit {} MB",
        starts[RUNS / 2].as_millis(),
        median(memory.iter().map(|m| m.0).collect()),
        median(memory.iter().map(|m| m.1).collect()),
        median(memory.iter().map(|m| m.2).collect())
    );
}
