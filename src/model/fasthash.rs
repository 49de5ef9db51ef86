//! A small, fast hasher for the hot maps (fingerprints, service names): FNV-1a. These maps are
//! rebuilt on every merge of up to tens of thousands of alerts, where SipHash's DoS resistance
//! costs milliseconds and buys nothing (keys are fingerprints and label values we only group by).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

#[derive(Default, Clone, Copy)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        // Mix the high bits down so hashbrown's top-7-bit control bytes vary for integer keys.
        self.0 ^ (self.0 >> 29)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf29ce484222325
        } else {
            self.0
        };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x100000001b3);
        }
        self.0 = h;
    }

    fn write_u64(&mut self, n: u64) {
        // Fingerprint keys are already well-mixed 64-bit hashes.
        self.0 = n.wrapping_mul(0x9e3779b97f4a7c15);
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
pub type FastSet<K> = std::collections::HashSet<K, BuildHasherDefault<Fnv>>;

pub fn map_with_capacity<K, V>(n: usize) -> FastMap<K, V> {
    FastMap::with_capacity_and_hasher(n, Default::default())
}
