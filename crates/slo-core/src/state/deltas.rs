//! How a ring's samples are written in a state file: the differences
//! between consecutive samples as LEB128 varints, in one base64 string per
//! ring. The string is about a third smaller than a JSON array of the
//! numbers and many times cheaper to write and read (one string instead of
//! 64 numbers through the JSON serializer), which is most of a state
//! write's CPU.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use serde::Serializer;
use serde::de::{self, Deserializer, Visitor};

use crate::rings::DEFAULT_RING_LEN;

/// The most bytes a u64 takes as a LEB128 varint.
const MAX_VARINT: usize = 10;

pub(crate) fn serialize<S: Serializer>(values: &[u64], serializer: S) -> Result<S::Ok, S::Error> {
    let mut bytes = Vec::with_capacity(values.len() * 3);
    for &value in values {
        let mut v = value;
        loop {
            let low = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                bytes.push(low);
                break;
            }
            bytes.push(low | 0x80);
        }
    }
    serializer.serialize_str(&STANDARD_NO_PAD.encode(&bytes))
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<u64>, D::Error> {
    deserializer.deserialize_any(DeltasVisitor)
}

struct DeltasVisitor;

impl<'de> Visitor<'de> for DeltasVisitor {
    type Value = Vec<u64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a ring's samples: a base64 string of varints")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Vec<u64>, E> {
        // A ring holds at most DEFAULT_RING_LEN samples: anything longer is
        // refused before it is decoded.
        if text.len() > (DEFAULT_RING_LEN * MAX_VARINT).div_ceil(3) * 4 {
            return Err(E::custom("a ring holds more samples than a ring has"));
        }
        let bytes = STANDARD_NO_PAD
            .decode(text)
            .map_err(|e| E::custom(format!("a ring's samples are not base64: {e}")))?;
        let mut values = Vec::with_capacity(DEFAULT_RING_LEN.min(bytes.len()));
        let mut value = 0u64;
        let mut shift = 0u32;
        for byte in bytes {
            let low = u64::from(byte & 0x7f);
            if shift == 63 && low > 1 || shift > 63 {
                return Err(E::custom("a ring's sample overflows"));
            }
            value |= low << shift;
            if byte & 0x80 == 0 {
                values.push(value);
                value = 0;
                shift = 0;
            } else {
                shift += 7;
            }
        }
        if shift != 0 {
            return Err(E::custom("a ring's last sample is cut off"));
        }
        Ok(values)
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Ring {
        #[serde(with = "super")]
        good: Vec<u64>,
    }

    #[test]
    fn every_value_round_trips_and_a_list_is_refused() {
        let values = vec![
            0,
            1,
            127,
            128,
            300,
            16_384,
            u64::from(u32::MAX),
            u64::MAX,
            7,
        ];
        let ring = Ring {
            good: values.clone(),
        };
        let text = serde_json::to_string(&ring).unwrap_or_default();
        assert!(text.starts_with("{\"good\":\""), "{text}");
        assert_eq!(serde_json::from_str::<Ring>(&text).ok(), Some(ring));
        assert!(serde_json::from_str::<Ring>("{\"good\":[0,1,127]}").is_err());
    }

    #[test]
    fn broken_strings_are_errors() {
        for bad in [
            "{\"good\":\"gA\"}",             // a varint cut off (0x80)
            "{\"good\":\"!!!\"}",            // not base64
            "{\"good\":\"////////////Ag\"}", // 2^64: overflows
        ] {
            assert!(serde_json::from_str::<Ring>(bad).is_err(), "{bad}");
        }
        let long = format!("{{\"good\":\"{}\"}}", "A".repeat(4000));
        assert!(serde_json::from_str::<Ring>(&long).is_err());
    }
}
