//! Debian's PgBouncer in transaction mode, in front of a test's database: a child process on a
//! free loopback port with a configuration of its own, killed when dropped.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::smtp::free_port;

/// Where Debian installs it (`.ci/run` installs the package).
const PGBOUNCER: &str = "/usr/sbin/pgbouncer";

/// A running PgBouncer.
pub struct PgBouncer {
    child: Child,
    /// Its configuration, log and pid file, in the system's temporary folder (which the
    /// `postgres` user it drops to can reach).
    dir: PathBuf,
    /// The URL of the test's database through the pooler.
    pub url: String,
}

/// Whether the pooler can run here; outside CI a machine without it skips the pooler tests
/// with a note, in CI they fail.
pub fn available() -> bool {
    if Path::new(PGBOUNCER).exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{PGBOUNCER} is missing: install Debian's pgbouncer (.ci/run does)"
    );
    eprintln!("tests: {PGBOUNCER} is missing; the pooler tests are skipped (install Debian's pgbouncer)");
    false
}

impl PgBouncer {
    /// PgBouncer in transaction mode in front of the database at `database_url`, with a pool
    /// of `server_connections` server connections: fewer than the app's own pool holds, so that
    /// the app's connections share them transaction by transaction.
    pub fn start(name: &str, database_url: &str, server_connections: u32) -> PgBouncer {
        let target = url::Url::parse(database_url).expect("the database URL");
        let database = target.path().trim_start_matches('/').to_owned();
        let port = free_port().port();
        let dir = std::env::temp_dir().join(format!("ua-{name}-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the pooler's folder");
        let mut server = format!(
            "host={} port={} dbname={database} user={}",
            target.host_str().unwrap_or("127.0.0.1"),
            target.port().unwrap_or(5432),
            if target.username().is_empty() { "postgres" } else { target.username() },
        );
        if let Some(password) = target.password() {
            server.push_str(&format!(" password={password}"));
        }
        let ini = format!(
            "[databases]\n{database} = {server}\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\n\
             unix_socket_dir =\nauth_type = any\npool_mode = transaction\nmax_client_conn = 1000\n\
             default_pool_size = {server_connections}\nmin_pool_size = 0\nreserve_pool_size = 0\n\
             ignore_startup_parameters = extra_float_digits\nlogfile = {log}\npidfile = {pid}\n",
            log = dir.join("pgbouncer.log").display(),
            pid = dir.join("pgbouncer.pid").display(),
        );
        let config = dir.join("pgbouncer.ini");
        std::fs::write(&config, ini).expect("write pgbouncer.ini");
        let mut command = Command::new(PGBOUNCER);
        if is_root() {
            // PgBouncer refuses to run as root; it drops to the `postgres` user itself.
            command.arg("-u").arg("postgres");
            open_to_all(&dir);
        }
        let child = command
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start pgbouncer");
        let mut bouncer =
            PgBouncer { child, dir, url: format!("postgres://postgres@127.0.0.1:{port}/{database}") };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = bouncer.child.try_wait() {
                panic!("pgbouncer exited ({status}):\n{}", bouncer.log());
            }
            assert!(Instant::now() < deadline, "pgbouncer did not listen:\n{}", bouncer.log());
            std::thread::sleep(Duration::from_millis(50));
        }
        bouncer
    }

    /// What it logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("pgbouncer.log")).unwrap_or_default()
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Lets the `postgres` user write its log and pid file in `dir`.
fn open_to_all(dir: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777));
}
