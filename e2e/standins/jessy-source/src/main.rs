// fake source
fn main() {}
