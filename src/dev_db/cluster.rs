//! [`PrivateCluster`]: a PostgreSQL of its own under `target/`, for development and tests.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use url::Url;

use super::reachable;

/// A private cluster for development: its data directory under `dir`, listening on
/// 127.0.0.1:`port`.
///
/// Only its owner can reach it without a password: `dir` is mode 0700 and holds the Unix socket,
/// the one place where `trust` authentication applies. TCP connections need scram-sha-256 with
/// the `postgres` user's password, generated at `initdb` time and kept in `dir/password` (mode
/// 0600); [`PrivateCluster::url`] includes it. Run as root, the cluster belongs to the
/// `postgres` user (PostgreSQL refuses to run as root).
#[derive(Debug, Clone)]
pub struct PrivateCluster {
    /// Where the cluster lives.
    pub dir: PathBuf,
    /// Its TCP port on 127.0.0.1.
    pub port: u16,
}

impl PrivateCluster {
    /// A cluster description; nothing is started yet.
    #[must_use]
    pub fn new(dir: impl Into<PathBuf>, port: u16) -> PrivateCluster {
        PrivateCluster { dir: dir.into(), port }
    }

    /// The file that holds the `postgres` user's password.
    #[must_use]
    pub fn password_file(&self) -> PathBuf {
        self.dir.join(PASSWORD_FILE)
    }

    /// The URL of database `database` in this cluster, with the `postgres` user's password
    /// (none before the cluster is created).
    #[must_use]
    pub fn url(&self, database: &str) -> String {
        let plain = format!("postgres://postgres@127.0.0.1:{}/{database}", self.port);
        let Ok(password) = std::fs::read_to_string(self.password_file()) else { return plain };
        let Ok(mut url) = Url::parse(&plain) else { return plain };
        match url.set_password(Some(password.trim_end())) {
            Ok(()) => url.into(),
            Err(()) => plain,
        }
    }

    /// Starts the cluster unless it already runs, creating it on first use. Returns whether it
    /// had to be started.
    ///
    /// A cluster left by an older version of this crate (a data directory but no password
    /// file: it was created with `trust` for TCP too) is stopped and created anew. It only ever
    /// holds development data, and keeping it would leave a superuser open to every local user.
    ///
    /// # Errors
    /// One sentence saying what is missing or what failed.
    pub fn start(&self) -> Result<bool, String> {
        let created = self.password_file().is_file();
        if created && reachable(&self.url("postgres")) {
            return Ok(false);
        }
        let bin = find_postgres_bin().ok_or_else(|| {
            "no PostgreSQL server answered and no PostgreSQL binaries were found: install PostgreSQL \
             (Debian: `apt-get install postgresql`) or set DATABASE_URL / databases.user_account.url"
                .to_string()
        })?;
        create_private_dir(&self.dir)?;
        // The server runs in its data directory: every path it is given must be absolute.
        let dir = std::fs::canonicalize(&self.dir).map_err(|e| format!("{}: {e}", self.dir.display()))?;
        let data = dir.join("data");
        let as_root = is_root();
        if !created && data.join("PG_VERSION").exists() {
            eprintln!(
                "dev_db: {} holds a cluster without a password (an older version made it with trust \
                 authentication); creating it anew",
                self.dir.display()
            );
            let mut stop = pg_command(as_root, &bin.join("pg_ctl"));
            stop.arg("-D").arg(&data).args(["-m", "immediate", "-w", "stop"]);
            // Fails when it is not running, which is fine.
            let _ = stop.output();
            std::fs::remove_dir_all(&data).map_err(|e| format!("cannot remove {}: {e}", data.display()))?;
        }
        if reachable(&self.url("postgres")) {
            return Err(format!(
                "127.0.0.1:{} is taken by a server that is not the private cluster in {}",
                self.port,
                self.dir.display()
            ));
        }
        let password_file = dir.join(PASSWORD_FILE);
        if !data.join("PG_VERSION").exists() {
            write_password_file(&password_file)?;
        }
        if as_root {
            // PostgreSQL refuses to run as root; the cluster belongs to the `postgres` user.
            run(Command::new("chown").args(["-R", "postgres:"]).arg(&dir), "chown")?;
        }
        if !data.join("PG_VERSION").exists() {
            let mut initdb = pg_command(as_root, &bin.join("initdb"));
            // Trust only on the Unix socket, which lives in the 0700 cluster directory; TCP
            // needs the password.
            initdb
                .args(["--auth-local=trust", "--auth-host=scram-sha-256", "-U", "postgres"])
                .arg(format!("--pwfile={}", password_file.display()))
                .args(["-E", "UTF8", "--no-locale", "-D"])
                .arg(&data);
            run(&mut initdb, "initdb")?;
        }
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c max_connections=200",
            self.port,
            dir.display()
        );
        let mut pg_ctl = pg_command(as_root, &bin.join("pg_ctl"));
        pg_ctl.arg("-D").arg(&data).arg("-l").arg(dir.join("server.log"));
        pg_ctl.args(["-w", "-t", "60", "-o", &options, "start"]);
        run(&mut pg_ctl, "pg_ctl start")?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while !reachable(&self.url("postgres")) {
            if Instant::now() > deadline {
                return Err(format!(
                    "the private cluster in {} did not start; see its server.log",
                    self.dir.display()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(true)
    }
}

/// The name of the password file in the cluster directory.
const PASSWORD_FILE: &str = "password";

/// Creates `dir` (and its parents) and makes it mode 0700.
fn create_private_dir(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| format!("cannot make {} private: {e}", dir.display()))
}

/// Writes a new random password (32 alphanumerics from the OS CSPRNG) to `path`, mode 0600.
fn write_password_file(path: &Path) -> Result<(), String> {
    use rand::distributions::{Alphanumeric, DistString as _};
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let password = Alphanumeric.sample_string(&mut rand::rngs::OsRng, 32);
    // A stale file is replaced, not rewritten in place, so its old mode cannot survive.
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot replace {}: {e}", path.display())),
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut file| writeln!(file, "{password}"))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The directory of `pg_ctl` and `initdb`: on PATH, else the newest `/usr/lib/postgresql/*/bin`.
#[must_use]
pub fn find_postgres_bin() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .find(|dir| dir.join("pg_ctl").is_file() && dir.join("initdb").is_file());
    on_path.or_else(|| {
        let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(Result::ok)
            .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
            .filter(|(_, bin)| bin.join("pg_ctl").is_file())
            .collect();
        versions.sort();
        versions.pop().map(|(_, bin)| bin)
    })
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

fn pg_command(as_root: bool, program: &Path) -> Command {
    if as_root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let out = command.output().map_err(|e| format!("cannot run {what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed: {}", String::from_utf8_lossy(&out.stderr).trim()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_url_carries_its_password() {
        let dir = std::env::temp_dir().join(format!("ua-cluster-url-{}", std::process::id()));
        let cluster = PrivateCluster::new(&dir, 54999);
        assert_eq!(cluster.url("x"), "postgres://postgres@127.0.0.1:54999/x", "none before initdb");
        create_private_dir(&dir).expect("dir");
        write_password_file(&cluster.password_file()).expect("password file");
        let password = std::fs::read_to_string(cluster.password_file()).expect("read");
        let url = cluster.url("x");
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(url, format!("postgres://postgres:{}@127.0.0.1:54999/x", password.trim_end()));
        assert_eq!(password.trim_end().len(), 32);
    }
}
