//! The private development cluster, started for real on a port and directory of its own (the
//! PostgreSQL the other tests use is not touched): private files, a password over TCP.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use rocket_user_account::dev_db::{self, PrivateCluster};

use crate::helpers::binary::work_dir;
use crate::helpers::smtp::free_port;

/// Stops the cluster and removes its directory when the test ends, even by a panic.
struct Stopped {
    dir: PathBuf,
    bin: PathBuf,
}

impl Stopped {
    fn stop(&self) {
        let is_root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.trim_ascii() == b"0");
        let mut pg_ctl = if is_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(self.bin.join("pg_ctl"));
            c
        } else {
            Command::new(self.bin.join("pg_ctl"))
        };
        let _ = pg_ctl.arg("-D").arg(self.dir.join("data")).args(["-m", "immediate", "-w", "stop"]).output();
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

async fn connects(url: &str) -> bool {
    AsyncPgConnection::establish(url).await.is_ok()
}

#[rocket::async_test]
async fn the_private_cluster_is_private_and_needs_its_password_over_tcp() {
    let Some(bin) = dev_db::find_postgres_bin() else {
        eprintln!("skipped: no PostgreSQL binaries on this machine");
        return;
    };
    let dir = work_dir("private-cluster");
    let port = free_port().port();
    let cluster = PrivateCluster::new(dir.to_path_buf(), port);
    let guard = Stopped { dir: dir.to_path_buf(), bin };

    assert_eq!(cluster.start(), Ok(true), "created and started");
    assert_eq!(mode(&dir), 0o700, "the cluster directory holds the socket");
    assert_eq!(mode(&dir.join("data")), 0o700);
    assert_eq!(mode(&cluster.password_file()), 0o600);
    let password = std::fs::read_to_string(cluster.password_file()).expect("the password file");
    let password = password.trim_end();
    assert!(password.len() >= 32, "a generated password");
    let url = cluster.url("postgres");
    assert!(url.contains(password), "url() carries the password");
    assert!(connects(&url).await, "the password opens it");
    let without = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    assert!(!connects(&without).await, "no password, no entry over TCP");
    let wrong = format!("postgres://postgres:{}@127.0.0.1:{port}/postgres", "x".repeat(32));
    assert!(!connects(&wrong).await, "a wrong password is refused");
    assert_eq!(cluster.start(), Ok(false), "already running");

    // A cluster from an older version (no password file) is made anew, running or not.
    std::fs::remove_file(cluster.password_file()).expect("remove the password file");
    assert_eq!(cluster.start(), Ok(true), "recreated");
    let renewed = std::fs::read_to_string(cluster.password_file()).expect("a new password file");
    assert_ne!(renewed.trim_end(), password);
    assert!(connects(&cluster.url("postgres")).await, "the new password opens it");
    assert!(!connects(&url).await, "the old password does not");

    // Stopped, it starts again with the password it has.
    guard.stop();
    assert_eq!(cluster.start(), Ok(true), "started again");
    assert!(connects(&cluster.url("postgres")).await);
}
