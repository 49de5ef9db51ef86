//! The kubeconfig that points kubectl (and sitrep) at an emulated cluster: one cluster, one
//! user with the demo token, one context, current. Written into a private temporary directory
//! that is removed when the [`KubeconfigFile`] is dropped.

use std::io::Write;
use std::path::{Path, PathBuf};

pub struct KubeconfigFile {
    dir: PathBuf,
    path: PathBuf,
}

impl KubeconfigFile {
    /// Write a kubeconfig for `server` (e.g. `http://127.0.0.1:41234`).
    pub fn write(
        server: &str,
        token: &str,
        context: &str,
        namespace: &str,
    ) -> std::io::Result<KubeconfigFile> {
        let unique = format!(
            "sitrep-demo-kube-{}-{:016x}",
            std::process::id(),
            fastrand::u64(..)
        );
        let dir = std::env::temp_dir().join(unique);
        std::fs::create_dir(&dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
        }
        let file = KubeconfigFile {
            path: dir.join("kubeconfig"),
            dir,
        };
        let text = format!(
            "apiVersion: v1\n\
             kind: Config\n\
             clusters:\n\
             - name: {context}\n  cluster:\n    server: {server}\n\
             users:\n\
             - name: {context}-admin\n  user:\n    token: {token}\n\
             contexts:\n\
             - name: {context}\n  context:\n    cluster: {context}\n    user: {context}-admin\n    namespace: {namespace}\n\
             current-context: {context}\n\
             preferences: {{}}\n"
        );
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        options.open(&file.path)?.write_all(text.as_bytes())?;
        Ok(file)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for KubeconfigFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_then_removed() {
        let f =
            KubeconfigFile::write("http://127.0.0.1:1", "tok", "demo-prod", "checkout").unwrap();
        let text = std::fs::read_to_string(f.path()).unwrap();
        assert!(text.contains("current-context: demo-prod"));
        assert!(text.contains("server: http://127.0.0.1:1"));
        let v: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
        assert_eq!(
            v["contexts"][0]["context"]["namespace"].as_str(),
            Some("checkout")
        );
        let path = f.path().to_path_buf();
        drop(f);
        assert!(!path.exists());
    }
}
