//! One architecture from build to deploy: `make deploy` passes `sam deploy` the architecture of
//! the binaries `make build` made (read from their ELF header), and refuses a different `ARCH`
//! or an empty build. Run as make's dry run (`-n`), so nothing is deployed; the build folder
//! is a stand-in holding only the header make reads.

use std::path::Path;
use std::process::Command;

/// The first 20 bytes of an ELF64 little-endian executable for `machine` (e_machine).
fn elf_header(machine: u16) -> Vec<u8> {
    let mut header = vec![0x7F, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0];
    header.extend(machine.to_le_bytes());
    header
}

/// A build folder whose webhook is built for `machine`.
fn built_for(machine: u16) -> tempdir::Folder {
    let folder = tempdir::Folder::new();
    let function = folder.path().join("WebhookFunction");
    std::fs::create_dir_all(&function).unwrap();
    std::fs::write(function.join("bootstrap"), elf_header(machine)).unwrap();
    folder
}

/// `make -n deploy` with `args`: its exit success, and what it printed (the command it would
/// run, or why it refuses).
fn dry_run(build: &Path, args: &[&str]) -> (bool, String) {
    let root = e2e::localstack::workspace_root();
    let output = Command::new("make")
        .current_dir(&root)
        // Only what this test names: not the variables and flags of a `make` that runs the suites.
        .env_remove("ARCH")
        .env_remove("MAKEFLAGS")
        .env_remove("MFLAGS")
        .env_remove("MAKELEVEL")
        .args(["-s", "-n", "deploy", &format!("SAM_BUILD_DIR={}", build.display())])
        .args(args)
        .output()
        .expect("make runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

const AARCH64: u16 = 183;
const X86_64: u16 = 62;

#[test]
fn deploy_passes_the_built_architecture_to_sam() {
    let x86 = built_for(X86_64);
    let (ok, said) = dry_run(x86.path(), &["ARCH=x86_64"]);
    assert!(ok, "{said}");
    assert_eq!(said.trim(), ".venv/bin/sam deploy --parameter-overrides Architecture=x86_64");
    // Without ARCH the build decides; parameters and options ride along.
    let (ok, said) = dry_run(x86.path(), &["PARAMS=TelegramSecretsVersion=2", "ARGS=--guided"]);
    assert!(ok, "{said}");
    assert_eq!(
        said.trim(),
        ".venv/bin/sam deploy --parameter-overrides Architecture=x86_64 TelegramSecretsVersion=2 --guided"
    );
    let arm = built_for(AARCH64);
    let (ok, said) = dry_run(arm.path(), &[]);
    assert!(ok, "{said}");
    assert_eq!(said.trim(), ".venv/bin/sam deploy --parameter-overrides Architecture=arm64");
}

#[test]
fn deploy_refuses_another_architecture_than_built_and_an_empty_build() {
    let arm = built_for(AARCH64);
    let (ok, said) = dry_run(arm.path(), &["ARCH=x86_64"]);
    assert!(!ok, "a mismatch must not deploy: {said}");
    assert!(said.contains("holds a arm64 build: run `make build ARCH=x86_64` first"), "{said}");
    assert!(!said.contains("sam deploy"), "{said}");
    let empty = tempdir::Folder::new();
    let (ok, said) = dry_run(empty.path(), &[]);
    assert!(!ok, "{said}");
    assert!(said.contains("nothing built"), "{said}");
}

/// A folder of its own under the system's temporary folder, removed when dropped.
mod tempdir {
    pub struct Folder(std::path::PathBuf);

    impl Folder {
        pub fn new() -> Folder {
            static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let path = std::env::temp_dir().join(format!("deploy-test-{}-{n}", std::process::id()));
            std::fs::create_dir_all(&path).unwrap();
            Folder(path)
        }

        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }

    impl Drop for Folder {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
