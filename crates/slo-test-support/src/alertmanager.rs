//! A real Alertmanager for tests (Debian's `prometheus-alertmanager`) and
//! the webhook receiver it notifies.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::{Peer, find_program, free_port, require_found};

/// A webhook receiver on loopback: every POST's body, parsed as JSON,
/// kept in the order it came.
#[derive(Debug)]
pub struct Webhook {
    /// `http://127.0.0.1:PORT/hook`.
    pub url: String,
    received: Arc<Mutex<Vec<serde_json::Value>>>,
}

impl Webhook {
    /// Starts listening.
    #[allow(clippy::unwrap_used, reason = "a test without loopback cannot run")]
    pub fn start() -> Webhook {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = Arc::clone(&received);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let store = Arc::clone(&store);
                std::thread::spawn(move || serve_one(stream, &store));
            }
        });
        Webhook { url, received }
    }

    /// Every notification received so far.
    pub fn received(&self) -> Vec<serde_json::Value> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// The first notification received (so far, or within `timeout`) for
    /// which `wanted` holds.
    pub fn wait_for(
        &self,
        timeout: Duration,
        mut wanted: impl FnMut(&serde_json::Value) -> bool,
    ) -> Option<serde_json::Value> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(found) = self.received().into_iter().find(|n| wanted(n)) {
                return Some(found);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Reads requests from one connection (keep-alive), answering 200 to each.
fn serve_one(stream: std::net::TcpStream, store: &Mutex<Vec<serde_json::Value>>) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut length = 0usize;
        let mut line = String::new();
        let mut first = true;
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if first {
                first = false;
                continue;
            }
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                break;
            }
            if let Some((name, value)) = trimmed.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0u8; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        if let (Ok(value), Ok(mut store)) = (serde_json::from_slice(&body), store.lock()) {
            store.push(value);
        }
        if writer
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            .is_err()
        {
            return;
        }
    }
}

/// A running Alertmanager on loopback, its data in a directory of its own.
#[derive(Debug)]
pub struct Alertmanager {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The port it listens on.
    pub port: u16,
    /// Its process (killed on drop).
    pub peer: Peer,
    dir: PathBuf,
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.peer.child.kill();
        let _ = self.peer.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Alertmanager {
    /// The Debian package's binary, or `None` (after saying so, and
    /// failing on CI) when it is not installed.
    pub fn program() -> Option<String> {
        require_found(
            "Alertmanager",
            find_program(&["prometheus-alertmanager", "alertmanager"]),
            "apt-get install prometheus-alertmanager",
        )
    }

    /// Starts one that routes everything to `webhook`, grouped by
    /// `alertname` and `slo`, with waits of about a second; each group
    /// also goes to `webhook` as a Slack message (`attachments[0].text`)
    /// rendering every alert's description as `[description]`. `None`
    /// when it is not installed.
    pub fn start(webhook: &str) -> Option<Alertmanager> {
        Alertmanager::start_on(webhook, free_port())
    }

    /// [`Alertmanager::start`] on a given port (to bring one back where a
    /// notifier expects it).
    #[allow(
        clippy::unwrap_used,
        clippy::expect_used,
        reason = "a test whose peer does not start cannot run"
    )]
    pub fn start_on(webhook: &str, port: u16) -> Option<Alertmanager> {
        Alertmanager::program()?;
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "slo-alertmanager-{}-{port}-{}",
            std::process::id(),
            STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        // Every group goes to the webhook as it is, and also through a
        // Slack receiver (pointed at the same webhook) whose text renders
        // each alert's description with Go templates, as a chat
        // notification would.
        let config = format!(
            "route:
  receiver: hook
  group_by: [alertname, slo]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - receiver: rendered
      continue: true
    - receiver: hook
receivers:
  - name: hook
    webhook_configs:
      - url: {webhook}
        send_resolved: true
  - name: rendered
    slack_configs:
      - api_url: {webhook}
        channel: '#slo'
        send_resolved: false
        title: '{{{{ .CommonLabels.alertname }}}} {{{{ .CommonLabels.slo }}}}'
        text: '{{{{ range .Alerts }}}}[{{{{ .Annotations.description }}}}]{{{{ end }}}}'
"
        );
        Alertmanager::start_with(&config, port, dir)
    }

    /// One with this configuration (`alertmanager.yml`'s text), on a free
    /// port; `None` when it is not installed.
    pub fn start_with_config(config: &str) -> Option<Alertmanager> {
        Alertmanager::program()?;
        let port = free_port();
        let dir = std::env::temp_dir().join(format!(
            "slo-alertmanager-{}-{port}-configured",
            std::process::id()
        ));
        Alertmanager::start_with(config, port, dir)
    }

    #[allow(
        clippy::unwrap_used,
        clippy::expect_used,
        reason = "a test whose peer does not start cannot run"
    )]
    fn start_with(config: &str, port: u16, dir: PathBuf) -> Option<Alertmanager> {
        let program = Alertmanager::program()?;
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("alertmanager.yml"), config).unwrap();
        let mut command = Command::new(program);
        command
            .arg(format!(
                "--config.file={}",
                dir.join("alertmanager.yml").display()
            ))
            .arg(format!("--storage.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--cluster.listen-address=")
            .arg("--log.level=warn");
        let peer = Peer::spawn(command);
        let url = format!("http://127.0.0.1:{port}");
        let am = Alertmanager {
            url,
            port,
            peer,
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !am.ready() {
            assert!(Instant::now() < deadline, "Alertmanager did not get ready");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(am)
    }

    fn ready(&self) -> bool {
        http(&format!("{}/-/ready", self.url), "GET", None).is_some_and(|(status, _)| status == 200)
    }

    /// `GET /api/v2/alerts`: the alerts it holds, with their state.
    pub fn alerts(&self) -> Vec<serde_json::Value> {
        http(&format!("{}/api/v2/alerts", self.url), "GET", None)
            .and_then(|(_, body)| serde_json::from_slice(&body).ok())
            .unwrap_or_default()
    }

    /// `POST /api/v2/silences` for these equality matchers, for an hour;
    /// the silence's id.
    pub fn silence(&self, matchers: &[(&str, &str)]) -> Option<String> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_secs();
        let time = |secs: u64| {
            let days = secs / 86_400;
            let (y, m, d) = civil(days as i64);
            let rem = secs % 86_400;
            format!(
                "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
                rem / 3600,
                rem % 3600 / 60,
                rem % 60
            )
        };
        let body = serde_json::json!({
            "matchers": matchers.iter().map(|(name, value)| serde_json::json!({
                "name": name, "value": value, "isRegex": false, "isEqual": true
            })).collect::<Vec<_>>(),
            "startsAt": time(now.saturating_sub(60)),
            "endsAt": time(now + 3600),
            "createdBy": "slo tests",
            "comment": "muting an in-process alert",
        });
        let (status, answer) = http(
            &format!("{}/api/v2/silences", self.url),
            "POST",
            Some(body.to_string().as_bytes()),
        )?;
        if status != 200 {
            return None;
        }
        let answer: serde_json::Value = serde_json::from_slice(&answer).ok()?;
        answer["silenceID"].as_str().map(str::to_owned)
    }
}

/// Days since 1970-01-01 as a civil date (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A plain HTTP/1.1 request over loopback: (status, body), or `None` when
/// nothing answers.
pub(crate) fn http(url: &str, method: &str, body: Option<&[u8]>) -> Option<(u16, Vec<u8>)> {
    let rest = url.strip_prefix("http://")?;
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut stream = std::net::TcpStream::connect(host).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let body = body.unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(body).ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).ok()?;
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let mut payload = answer[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        payload = dechunk(&payload);
    }
    Some((status, payload))
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 || data.len() < end + 2 + size {
            return out;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[(end + 4 + size).min(data.len())..];
    }
}
