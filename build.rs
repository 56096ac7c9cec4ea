//! Rebuild whenever a migration changes: a binary must never ship without its migrations.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
