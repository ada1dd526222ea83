//! TLS through rustls with the `ring` provider (the default feature): building a client
//! installs it as the process's provider, so reqwest (which has none of its own here) can
//! make TLS connections; a provider installed before is kept.

#![cfg(feature = "rustls")]

use mistral_sdk::Client;

fn suites(provider: &rustls::crypto::CryptoProvider) -> Vec<String> {
    provider.cipher_suites.iter().map(|s| format!("{:?}", s.suite())).collect()
}

#[test]
fn building_a_client_installs_ring_unless_a_provider_is_there() {
    let client = Client::builder().api_key("k").base_url("https://api.mistral.ai").build().unwrap();
    assert_eq!(client.base_url(), "https://api.mistral.ai");
    let installed = rustls::crypto::CryptoProvider::get_default().expect("a provider is installed");
    assert_eq!(suites(installed), suites(&rustls::crypto::ring::default_provider()));
    // A second client keeps the provider there.
    Client::builder().api_key("k").build().unwrap();
    let again = rustls::crypto::CryptoProvider::get_default().expect("still installed");
    assert!(std::sync::Arc::ptr_eq(installed, again));
}
