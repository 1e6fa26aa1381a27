//! The function's binary is linked at a fixed address, not as a position-independent
//! executable: the loader then relocates none of its pointers at a cold start (README, Cold
//! start and memory). Shared libraries, heap and stack are still placed at random.
fn main() {
    println!("cargo:rustc-link-arg-bins=-no-pie");
}
