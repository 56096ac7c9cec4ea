//! Drives the real desktop window: starts tauri-driver, opens a WebDriver session on the app, cleans up.
//!
//! Needs an X display (run under `xvfb-run`), `tauri-driver` on the PATH, Debian's `WebKitWebDriver`,
//! `xdotool` for the native file dialogs, and the app built beside this test binary
//! (`cargo build -p suanpan-app`).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use tokio::sync::{Mutex, MutexGuard};

/// One window at a time: two apps and two WebKit processes on two cores make every test flaky.
static ONE_WINDOW: LazyLock<Mutex<()>> = LazyLock::new(|| Mutex::new(()));

/// The debug or release app built next to the running test (`target/<profile>/suanpan-app`).
pub fn app_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows where it runs");
    // Tests run from target/<profile>/deps, binaries (the window benchmark) from target/<profile>.
    let mut profile_dir = exe.parent().expect("a folder");
    if profile_dir.ends_with("deps") {
        profile_dir = profile_dir.parent().expect("target/<profile>");
    }
    let app = profile_dir.join("suanpan-app");
    assert!(app.exists(), "{} is missing: build the app first with `cargo build -p suanpan-app`", app.display());
    app
}

/// Where tests leave screenshots for a person to look at.
pub fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../artifacts");
    std::fs::create_dir_all(&dir).expect("artifacts folder");
    dir
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// tauri-driver, stopped with SIGTERM so that it also stops its WebKitWebDriver child.
struct Driver {
    child: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running app window under WebDriver control.
pub struct Window {
    pub client: Client,
    _driver: Driver,
    _turn: MutexGuard<'static, ()>,
}

impl Window {
    /// Starts the app on `company_file`, with its data folder (the demo company) in `data_home`.
    pub async fn open(company_file: &Path, data_home: &Path) -> Window {
        Window::launch(company_file, data_home).await.0
    }

    /// Like [`Window::open`], and also says when the app was asked to start (after tauri-driver
    /// is ready), so a benchmark can time the start-up alone.
    pub async fn launch(company_file: &Path, data_home: &Path) -> (Window, Instant) {
        assert!(std::env::var_os("DISPLAY").is_some(), "no X display: run the end-to-end tests under xvfb-run");
        let turn = ONE_WINDOW.lock().await;
        let (port, native_port) = (free_port(), free_port());
        let child = Command::new("tauri-driver")
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("XDG_DATA_HOME", data_home)
            .env("SUANPAN_DB", company_file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tauri-driver on the PATH (cargo install tauri-driver)");
        let driver = Driver { child };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tauri-driver never listened on {port}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "tauri:options".into(),
            serde_json::json!({
                "application": app_binary(),
                "args": ["--db", company_file],
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            match ClientBuilder::native().capabilities(capabilities.clone()).connect(&url).await {
                Ok(client) => break client,
                Err(e) if Instant::now() > deadline => panic!("no WebDriver session on {url}: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        (Window { client, _driver: driver, _turn: turn }, started)
    }

    /// Waits (polling every 5 ms, 30 s at most) until an element matches `css`.
    pub async fn wait_present(&self, css: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let script = "return document.querySelector(arguments[0]) !== null;";
        while self.client.execute(script, vec![css.into()]).await.ok() != Some(serde_json::Value::Bool(true)) {
            assert!(Instant::now() < deadline, "{css} never appeared");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// The element, once it is there (20 s at most).
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} never appeared: {e}"))
    }

    /// Clicks the element `css` names. A screen that re-renders (a list reloaded after a form saved)
    /// replaces its nodes: a click that finds its node gone clicks the one that stands there now, as a
    /// person would.
    pub async fn click(&self, css: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match self.find(css).await.click().await {
                Ok(()) => return,
                Err(e) if (e.is_stale_element_reference() || e.is_no_such_element()) && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => panic!("clicking {css}: {e}"),
            }
        }
    }

    /// Drags the element `from_css` onto the element `to_css` with real mouse events: press on the
    /// first's centre, move in small steps, release on the second's centre. (WebKit's WebDriver
    /// cannot drive HTML5 drag and drop; the board listens to mouse events for that reason.)
    pub async fn drag(&self, from_css: &str, to_css: &str) {
        use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
        const STEPS: u32 = 8;
        let from = self.find(from_css).await;
        let to = self.find(to_css).await;
        let centre = |(x, y, width, height): (f64, f64, f64, f64)| (x + width / 2.0, y + height / 2.0);
        let (from_x, from_y) = centre(from.rectangle().await.unwrap_or_else(|e| panic!("measuring {from_css}: {e}")));
        let (to_x, to_y) = centre(to.rectangle().await.unwrap_or_else(|e| panic!("measuring {to_css}: {e}")));
        let step_x = ((to_x - from_x) / f64::from(STEPS)).round();
        let step_y = ((to_y - from_y) / f64::from(STEPS)).round();
        let step = Some(Duration::from_millis(20));
        let mut mouse = MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement { element: from, duration: None, x: 0.0, y: 0.0 })
            .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
            .pause(Duration::from_millis(50));
        for _ in 0..STEPS {
            mouse = mouse.then(PointerAction::MoveBy { duration: step, x: step_x, y: step_y });
        }
        let mouse = mouse
            .then(PointerAction::MoveToElement { element: to, duration: step, x: 0.0, y: 0.0 })
            .pause(Duration::from_millis(50))
            .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
        self.client.perform_actions(mouse).await.unwrap_or_else(|e| panic!("dragging {from_css} onto {to_css}: {e}"));
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap_or_else(|e| panic!("clearing {css}: {e}"));
        field.send_keys(text).await.unwrap_or_else(|e| panic!("typing into {css}: {e}"));
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap_or_else(|e| panic!("reading {css}: {e}"))
    }

    /// Waits until `css`'s text satisfies `check` (20 s at most: two debug windows share two cores) and
    /// returns it.
    pub async fn wait_text(&self, css: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            // Read in the page: a list row found one moment may be re-rendered the next.
            let script = "const el = document.querySelector(arguments[0]); return el ? el.textContent : '';";
            let text =
                self.client.execute(script, vec![css.into()]).await.ok().and_then(|v| v.as_str().map(String::from));
            let text = text.unwrap_or_default();
            if check(&text) {
                return text;
            }
            assert!(Instant::now() < deadline, "{css} never showed what was expected; last text: {text:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until no element matches `css`.
    pub async fn wait_gone(&self, css: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.client.find(Locator::Css(css)).await.is_ok() {
            assert!(Instant::now() < deadline, "{css} never went away");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The names in the customers list as shown (read in one go: the list re-renders as it scrolls).
    pub async fn listed_names(&self) -> Vec<String> {
        let script = "return [...document.querySelectorAll('#customer-list .row[data-code] .td:nth-child(2)')]
                      .map((cell) => cell.textContent);";
        let names = self.client.execute(script, vec![]).await.expect("reading the list");
        serde_json::from_value(names).expect("a list of names")
    }

    /// Runs a script in the page and returns what it returns (for what a native dialog would start).
    pub async fn script(&self, script: &str, args: Vec<serde_json::Value>) -> serde_json::Value {
        self.client.execute(script, args).await.unwrap_or_else(|e| panic!("running {script}: {e}"))
    }

    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("a screenshot");
        let path = artifacts_dir().join(name);
        std::fs::write(&path, png).expect("writing the screenshot");
        path
    }

    /// Ends the session: the app window closes and the app exits.
    pub async fn close(self) {
        let Window { client, _driver, _turn } = self;
        let _ = client.close().await;
        drop(_driver);
        // WebKit takes a moment to let go of the company file and the ports.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Answers the native file dialog titled `title` ("Open File" or "Save File", GTK's own titles) the
/// way a person does: waits for it to appear on the X display, focuses it, opens its location field
/// with Ctrl+L, types `path` and presses Enter; then waits for it to close. Call it right after the
/// click that opens the dialog. Leaves a screenshot of the filled-in dialog in `artifacts/`.
/// Give it ASCII paths: xdotool types other characters by remapping a key for each, and now and
/// then the first one after a remap is lost (measured: `新客户.csv` arrived as `客户.csv`).
pub async fn answer_file_dialog(title: &str, path: &Path) {
    let xdotool = |args: &[&str]| -> String {
        let output = Command::new("xdotool").args(args).output().expect("xdotool (apt-get install xdotool)");
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    };
    let find = || xdotool(&["search", "--onlyvisible", "--name", &format!("^{title}$")]);
    let deadline = Instant::now() + Duration::from_secs(20);
    let dialog = loop {
        if let Some(id) = find().lines().next().map(String::from) {
            break id;
        }
        assert!(Instant::now() < deadline, "no \"{title}\" dialog appeared");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // GTK draws the dialog's widgets a moment after the window maps.
    tokio::time::sleep(Duration::from_millis(500)).await;
    xdotool(&["windowfocus", "--sync", &dialog]);
    xdotool(&["key", "--clearmodifiers", "ctrl+l"]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    // A save dialog's field holds the suggested name: replace it.
    xdotool(&["key", "--clearmodifiers", "ctrl+a"]);
    xdotool(&["type", "--delay", "20", path.to_str().expect("a UTF-8 path")]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let shot = artifacts_dir().join(format!("dialog-{}.png", title.to_lowercase().replace(' ', "-")));
    let _ = Command::new("import").args(["-window", "root"]).arg(&shot).status();
    xdotool(&["key", "Return"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !find().is_empty() {
        assert!(Instant::now() < deadline, "the \"{title}\" dialog did not close after Enter; see {}", shot.display());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Memory of the running app and of the WebKit processes it started, in KiB:
/// (app RSS, WebKit RSS, app + WebKit PSS). PSS shares shared libraries out between the
/// processes that map them, so it is the fairer total.
pub fn app_memory_kib() -> Option<(u64, u64, u64)> {
    let read_kib = |pid: u32, file: &str, name: &str| -> Option<u64> {
        let text = std::fs::read_to_string(format!("/proc/{pid}/{file}")).ok()?;
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    };
    let processes: Vec<(u32, u32, String)> = std::fs::read_dir("/proc")
        .ok()?
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let field = |name: &str| status.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_string());
            Some((pid, field("PPid:")?.parse().ok()?, field("Name:")?))
        })
        .collect();
    let app = processes.iter().filter(|p| p.2.starts_with("suanpan-app")).max_by_key(|p| p.0)?;
    let webkit: Vec<u32> =
        processes.iter().filter(|p| p.1 == app.0 && p.2.starts_with("WebKit")).map(|p| p.0).collect();
    let app_rss = read_kib(app.0, "status", "VmRSS:")?;
    let webkit_rss = webkit.iter().filter_map(|pid| read_kib(*pid, "status", "VmRSS:")).sum();
    let pss = std::iter::once(app.0).chain(webkit).filter_map(|pid| read_kib(pid, "smaps_rollup", "Pss:")).sum();
    Some((app_rss, webkit_rss, pss))
}
