//! The embedded demo world: a scripted incident that the emulated servers (next) will serve on
//! loopback ports in their real wire formats.

pub mod clock;
pub mod scenario;
mod script;
pub mod signals;

pub use clock::{Offset, ScenarioClock};
pub use scenario::{Deploy, ScenarioError, World};
