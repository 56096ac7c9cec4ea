//! Drives the real desktop window: starts tauri-driver, opens a WebDriver session on the app, cleans up.
