//! Publisher signatures of native mods: ed25519 over the binary's bytes.
//!
//! Keys are text files of hex digits: a secret key file holds the 32-byte seed (64 hex digits),
//! a public key file the 32-byte verifying key (64 hex digits); a signature is 64 bytes written
//! as 128 hex digits in the manifest's `signature` field. Whitespace around the digits is
//! ignored, so keys can be pasted into files or environment variables.
//!
//! The contract leaves the distribution of the publisher's public key open. The studio trusts
//! exactly one key, given by `--publisher-key` (a file or the hex digits) or the
//! `MC_PUBLISHER_KEY` environment variable; with none, every native mod is refused. The studio
//! checks signatures but never loads or runs native code.

use std::path::Path;

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};

/// Hex digits of `bytes`, lowercase.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `N` bytes from hex digits (surrounding whitespace ignored).
fn from_hex<const N: usize>(text: &str, what: &str) -> Result<[u8; N], String> {
    let text = text.trim();
    let digits = text.as_bytes();
    if digits.len() != 2 * N {
        return Err(format!(
            "{what} must be {} hex digits (found {} characters)",
            2 * N,
            digits.len()
        ));
    }
    let mut out = [0u8; N];
    for (i, pair) in digits.chunks(2).enumerate() {
        let s = std::str::from_utf8(pair).map_err(|_| format!("{what} is not hex digits"))?;
        out[i] = u8::from_str_radix(s, 16).map_err(|_| format!("{what} is not hex digits"))?;
    }
    Ok(out)
}

/// A publisher's public key, which native mods' signatures are checked against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublisherKey(VerifyingKey);

impl PublisherKey {
    /// From 64 hex digits.
    pub fn from_hex(text: &str) -> Result<PublisherKey, String> {
        let bytes = from_hex::<32>(text, "a publisher public key")?;
        VerifyingKey::from_bytes(&bytes)
            .map(PublisherKey)
            .map_err(|_| "the publisher public key is not a valid ed25519 key".into())
    }

    /// From `value`: a path to a key file if one exists there, else the hex digits themselves.
    pub fn from_arg(value: &str) -> Result<PublisherKey, String> {
        let path = Path::new(value);
        if path.is_file() {
            let text = aether_base::fsutil::read_text_bounded(path, 64 * 1024)
                .map_err(|e| format!("{}: cannot read the key: {e}", path.display()))?;
            return Self::from_hex(&text).map_err(|e| format!("{}: {e}", path.display()));
        }
        Self::from_hex(value)
    }

    /// The key as 64 hex digits.
    pub fn to_hex(&self) -> String {
        to_hex(self.0.as_bytes())
    }

    /// Checks `signature_hex` over `binary`; the error says what is wrong.
    pub fn verify(&self, binary: &[u8], signature_hex: &str) -> Result<(), String> {
        let bytes = from_hex::<64>(signature_hex, "the signature")?;
        let signature = Signature::from_bytes(&bytes);
        self.0
            .verify_strict(binary, &signature)
            .map_err(|_| "the signature does not match the binary under the publisher key (the binary was changed after signing, or signed with another key)".into())
    }
}

/// A publisher's secret key, for signing native binaries.
#[derive(Clone)]
pub struct PublisherSecret(SigningKey);

impl std::fmt::Debug for PublisherSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublisherSecret(public {})", self.public().to_hex())
    }
}

impl PublisherSecret {
    /// From 64 hex digits (the 32-byte seed).
    pub fn from_hex(text: &str) -> Result<PublisherSecret, String> {
        from_hex::<32>(text, "a secret key")
            .map(|seed| PublisherSecret(SigningKey::from_bytes(&seed)))
    }

    /// Reads a secret key file.
    pub fn load(path: &Path) -> Result<PublisherSecret, String> {
        let text = aether_base::fsutil::read_text_bounded(path, 64 * 1024)
            .map_err(|e| format!("{}: cannot read the key: {e}", path.display()))?;
        Self::from_hex(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// A new key from the operating system's random source.
    pub fn generate() -> Result<PublisherSecret, String> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| format!("no random source: {e}"))?;
        Ok(PublisherSecret(SigningKey::from_bytes(&seed)))
    }

    /// The seed as 64 hex digits (what a secret key file holds).
    pub fn to_hex(&self) -> String {
        to_hex(self.0.as_bytes())
    }

    /// The matching public key.
    pub fn public(&self) -> PublisherKey {
        PublisherKey(self.0.verifying_key())
    }

    /// The signature of `binary`, as 128 hex digits.
    pub fn sign(&self, binary: &[u8]) -> String {
        to_hex(&self.0.sign(binary).to_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify() {
        let secret = PublisherSecret::from_hex(&"07".repeat(32)).unwrap();
        let public = PublisherKey::from_hex(&secret.public().to_hex()).unwrap();
        let sig = secret.sign(b"binary");
        assert_eq!(sig.len(), 128);
        public.verify(b"binary", &sig).unwrap();
        assert!(public.verify(b"binarY", &sig).is_err());
        let other = PublisherSecret::from_hex(&"08".repeat(32)).unwrap();
        assert!(other.public().verify(b"binary", &sig).is_err());
        assert!(public.verify(b"binary", "zz").is_err());
        assert_eq!(
            PublisherSecret::from_hex(&secret.to_hex())
                .unwrap()
                .sign(b"x"),
            secret.sign(b"x")
        );
    }
}
