//! The binary Trunk builds: mounts the app (everything else is in the library).

fn main() {
    silent_refresh::mount();
}
