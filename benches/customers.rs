//! Customer search and the first page of the list over 100,000 customers (issue 2's figures).
//!
//! `cargo bench --bench customers`; the 100k demo company is generated once and kept in
//! `target/bench-data/` (delete it to regenerate).

use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use suanpan::crm::customers::{self, CustomerQuery, CustomerSort};
use suanpan::{Actor, Db, auth, demo};
use tokio::runtime::Runtime;

const SCALE: u32 = 100;

fn company(runtime: &Runtime) -> (Db, Actor, Actor) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench data folder");
    let path = dir.join(format!("demo-{SCALE}k.sqlite"));
    runtime.block_on(async {
        let fresh = !path.exists();
        let (db, _) = Db::open(&path).await.expect("open");
        if fresh {
            let started = std::time::Instant::now();
            demo::generate(&db, SCALE).await.expect("demo");
            eprintln!("generated {SCALE}k customers in {:.1?}", started.elapsed());
        }
        let owner = auth::login(&db, "boss", demo::PASSWORD).await.expect("owner");
        let sales = auth::login(&db, "zhangwei", demo::PASSWORD).await.expect("salesperson");
        (db, owner, sales)
    })
}

fn bench(c: &mut Criterion) {
    let runtime = Runtime::new().expect("runtime");
    let (db, owner, sales) = company(&runtime);
    let total = runtime.block_on(customers::list(&db, &owner, &CustomerQuery::default())).expect("list").total;
    assert_eq!(total, i64::from(SCALE) * 1_000);

    let mut group = c.benchmark_group("customers_100k");
    group.sample_size(30).measurement_time(Duration::from_secs(4));
    let searches = [
        ("search_name_2_chars", "鼎盛"),
        ("search_name_4_chars", "鼎盛贸易"),
        ("search_pinyin_initials", "shds"),
        ("search_code", "C054321"),
        ("search_phone", "13804671413"),
        ("search_city_and_tag", "上海 VIP"),
    ];
    for (name, words) in searches {
        let query = CustomerQuery { search: words.into(), ..Default::default() };
        group.bench_function(name, |b| {
            b.iter(|| runtime.block_on(customers::list(&db, &owner, &query)).expect("search"))
        });
    }
    let first_page = CustomerQuery::default();
    group.bench_function("first_page_by_name", |b| {
        b.iter(|| runtime.block_on(customers::list(&db, &owner, &first_page)).expect("first page"))
    });
    let by_code = CustomerQuery { sort: CustomerSort::Code, descending: true, ..Default::default() };
    group.bench_function("first_page_by_code_desc", |b| {
        b.iter(|| runtime.block_on(customers::list(&db, &owner, &by_code)).expect("first page"))
    });
    let deep = CustomerQuery { offset: 90_000, ..Default::default() };
    group.bench_function("page_at_row_90000", |b| {
        b.iter(|| runtime.block_on(customers::list(&db, &owner, &deep)).expect("deep page"))
    });
    group.bench_function("first_page_as_salesperson", |b| {
        b.iter(|| runtime.block_on(customers::list(&db, &sales, &first_page)).expect("first page"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
