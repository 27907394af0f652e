fn main() {
    silent_refresh::mount();
}
