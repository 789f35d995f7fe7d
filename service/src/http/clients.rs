//! Who a connection comes from, and how much of the server one client may hold: at most
//! [`Clients::per_client`] connections at once, and a quarter of the request-body budget
//! (`body.rs`). A client is an IPv4 address or an IPv6 /64 (one machine is handed a whole
//! /64), so that one client cannot take every connection or every body place from others.
//! `polyrun serve` counts its connections here; the body budget reads the client from the
//! request's extensions (absent on Lambda, whose gateway has limits of its own).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};

/// Connections one client may hold at once by default. A class behind one NAT shares an
/// address (a browser opens up to 6 connections), so it is well above what people need and
/// well below [`crate::serve::MAX_CONNECTIONS`].
pub const DEFAULT_PER_CLIENT: usize = 256;

/// The address a client is counted by: an IPv4 address (IPv4-mapped IPv6 included), or the
/// first 64 bits of an IPv6 address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientKey(IpAddr);

impl ClientKey {
    /// The client `ip` is counted as.
    pub fn of(ip: IpAddr) -> ClientKey {
        match ip {
            IpAddr::V4(v4) => ClientKey(IpAddr::V4(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientKey(IpAddr::V4(v4)),
                None => {
                    let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                    ClientKey(IpAddr::V6(Ipv6Addr::from(prefix)))
                }
            },
        }
    }
}

impl std::fmt::Display for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            IpAddr::V4(v4) => write!(f, "{v4}"),
            IpAddr::V6(v6) => write!(f, "{v6}/64"),
        }
    }
}

/// What each client holds now, in some unit (connections, KiB of bodies).
#[derive(Default)]
pub struct Tally {
    held: Mutex<HashMap<ClientKey, usize>>,
}

impl Tally {
    /// Adds `amount` to what `client` holds, unless that would take it over `cap`; the
    /// amount is given back when the returned [`Held`] is dropped.
    pub fn take(self: &Arc<Self>, client: ClientKey, amount: usize, cap: usize) -> Option<Held> {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        let now = held.get(&client).copied().unwrap_or(0);
        let total = now.checked_add(amount).filter(|total| *total <= cap)?;
        held.insert(client, total);
        Some(Held {
            tally: Arc::clone(self),
            client,
            amount,
        })
    }

    /// What `client` holds now.
    #[cfg(test)]
    fn of(&self, client: ClientKey) -> usize {
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.get(&client).copied().unwrap_or(0)
    }

    /// How many clients hold something (entries are removed when they drop to zero, so the
    /// map never outgrows what is held).
    #[cfg(test)]
    fn clients(&self) -> usize {
        self.held.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// A share of a [`Tally`], given back on drop.
pub struct Held {
    tally: Arc<Tally>,
    client: ClientKey,
    amount: usize,
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut held = self.tally.held.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(now) = held.get_mut(&self.client) {
            *now = now.saturating_sub(self.amount);
            if *now == 0 {
                held.remove(&self.client);
            }
        }
    }
}

/// The per-client limits of one server.
pub struct Clients {
    /// Connections one client may hold (`usize::MAX`: no cap).
    pub per_client: usize,
    connections: Arc<Tally>,
}

impl Clients {
    /// At most `per_client` connections per client; 0 means no cap (behind a reverse
    /// proxy, which every connection comes from).
    pub fn new(per_client: usize) -> Clients {
        Clients {
            per_client: if per_client == 0 { usize::MAX } else { per_client },
            connections: Arc::default(),
        }
    }

    /// Whether clients are told apart at all.
    pub fn capped(&self) -> bool {
        self.per_client != usize::MAX
    }

    /// A connection of `client`, or `None` when it holds its cap already.
    pub fn connect(&self, client: ClientKey) -> Option<Held> {
        self.connections.take(client, 1, self.per_client)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> ClientKey {
        ClientKey::of(text.parse().expect("an address"))
    }

    #[test]
    fn clients_are_addresses_and_ipv6_prefixes() {
        assert_eq!(key("192.0.2.7"), key("::ffff:192.0.2.7"));
        assert_ne!(key("192.0.2.7"), key("192.0.2.8"));
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("2001:db8:1:2::1").to_string(), "2001:db8:1:2::/64");
        assert_eq!(key("::ffff:10.0.0.1").to_string(), "10.0.0.1");
    }

    #[test]
    fn a_client_holds_up_to_its_cap_and_gets_it_back() {
        let clients = Clients::new(2);
        let (a, b) = (key("10.0.0.1"), key("10.0.0.2"));
        let first = clients.connect(a).expect("first");
        let second = clients.connect(a).expect("second");
        assert!(clients.connect(a).is_none(), "a third is over the cap");
        assert!(clients.connect(b).is_some(), "another client is not affected");
        drop(first);
        let third = clients.connect(a).expect("a place came back");
        assert_eq!(clients.connections.of(a), 2);
        drop((second, third));
        assert_eq!(clients.connections.clients(), 0, "no entry is left behind");
    }

    #[test]
    fn no_cap_takes_everything() {
        let clients = Clients::new(0);
        assert!(!clients.capped());
        let held: Vec<Held> = (0..5000).filter_map(|_| clients.connect(key("10.0.0.1"))).collect();
        assert_eq!(held.len(), 5000);
    }

    #[test]
    fn amounts_add_up_to_the_cap() {
        let tally = Arc::new(Tally::default());
        let client = key("10.0.0.1");
        let a = tally.take(client, 700, 1024).expect("700 of 1024");
        assert!(tally.take(client, 400, 1024).is_none());
        let b = tally.take(client, 324, 1024).expect("the rest");
        assert!(tally.take(client, usize::MAX, usize::MAX).is_none(), "no overflow");
        drop((a, b));
        assert_eq!(tally.of(client), 0);
    }
}
