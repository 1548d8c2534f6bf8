//! Feed values as 4-byte excess-2³¹ words, exactly as the reference encodes and decodes them.
//!
//! Encoding one value (`FeedValueEncoder.encode`): `word = Math.round(value · 10**decimals) + 2³¹`
//! with JavaScript semantics throughout:
//!
//! * `·` is an IEEE-754 double multiplication;
//! * `10**decimals` is the reference runtime's `Math.pow`, which is *not* always correctly
//!   rounded, so the exact doubles are kept in [`POW10_BITS`] (taken from the reference runtime,
//!   Node v24.13.1, for every `int8` decimals);
//! * `Math.round` rounds half toward +∞ ([`js_round`]); JavaScript's `-0` encodes like `0`;
//! * the word must lie in `(0, 2³²)`, so representable integers are `[−2³¹+1, 2³¹−1]`;
//!   `0x00000000` is reserved for "no value".
//!
//! A provider's `null` is the number 0 (word `0x80000000`); a missing value is the empty word.
//! A list of values is the words in canonical feed order with trailing empty words removed, but
//! at least one word kept when there is at least one feed; zero feeds give empty bytes.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

/// Length of one encoded value.
pub const WORD_LEN: usize = 4;

/// The excess added to a value to form its word.
const EXCESS: f64 = 2_147_483_648.0;
/// One past the largest word.
const WORD_LIMIT: f64 = 4_294_967_296.0;

/// Why a value could not be encoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueEncodingError {
    /// `Math.round(value · 10**decimals)` is not finite or lies outside `[−2³¹+1, 2³¹−1]`.
    #[error("value {value} with {decimals} decimals is out of the int32 range")]
    Overflow {
        /// The value as given.
        value: f64,
        /// The feed's decimals.
        decimals: i8,
    },
    /// The number of values differs from the number of feeds.
    #[error("{values} value(s) given for {feeds} feed(s)")]
    LengthMismatch {
        /// Number of values.
        values: usize,
        /// Number of feeds.
        feeds: usize,
    },
}

/// Why encoded values could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueDecodingError {
    /// The byte length is not a multiple of four.
    #[error("encoded values are {len} bytes, not a multiple of 4")]
    Length {
        /// Length of the encoded values.
        len: usize,
    },
    /// More words than feeds.
    #[error("{words} encoded value(s) for only {feeds} feed(s)")]
    TooManyValues {
        /// Number of words.
        words: usize,
        /// Number of feeds.
        feeds: usize,
    },
}

/// A feed value as the value provider returned it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ProviderValue {
    /// A number.
    Number(f64),
    /// JSON `null`: JavaScript turns it into 0, so it encodes as the value 0, not as empty.
    Null,
    /// No value (the key was absent): encodes as the empty word.
    Missing,
}

impl ProviderValue {
    /// The number the reference multiplies, or `None` when the value is missing.
    pub fn as_number(self) -> Option<f64> {
        match self {
            Self::Number(value) => Some(value),
            Self::Null => Some(0.0),
            Self::Missing => None,
        }
    }
}

impl From<Option<f64>> for ProviderValue {
    fn from(value: Option<f64>) -> Self {
        value.map_or(Self::Missing, Self::Number)
    }
}

/// Bits of V8's `10**d` for `d = −128 ..= 127` (index `d + 128`), from the reference runtime.
///
/// They equal the correctly rounded `1e<d>` except at `d = 23`.
#[rustfmt::skip]
pub const POW10_BITS: [u64; 256] = [
    0x255bba08cf8c979d, 0x2591544581b7dec2, 0x25c5a956e225d672, 0x25fb13ac9aaf4c0f,  // -128..=-125
    0x2630ec4be0ad8f89, 0x2665275ed8d8f36c, 0x269a71368f0f3047, 0x26d086c219697e2c,  // -124..=-121
    0x2704a8729fc3ddb7, 0x2739d28f47b4d525, 0x277023998cd10537, 0x27a42c7ff0054685,  // -120..=-117
    0x27d9379fec069826, 0x280f8587e7083e30, 0x2843b374f06526de, 0x2878a0522c7e7095,  // -116..=-113
    0x28aec866b79e0cba, 0x28e33d4032c2c7f5, 0x29180c903f7379f2, 0x294e0fb44f50586e,  // -112..=-109
    0x2982c9d0b1923745, 0x29b77c44ddf6c516, 0x29ed5b561574765b, 0x2a225915cd68c9f9,  // -108..=-105
    0x2a56ef5b40c2fc77, 0x2a8cab3210f3bb95, 0x2ac1eaff4a98553d, 0x2af665bf1d3e6a8d,  // -104..=-101
    0x2b2bff2ee48e0530, 0x2b617f7d4ed8c33e, 0x2b95df5ca28ef40d, 0x2bcb5733cb32b111,  // -100..=-97
    0x2c0116805effaeaa, 0x2c355c2076bf9a55, 0x2c6ab328946f80ea, 0x2ca0aff95cc5b092,  // -96..=-93
    0x2cd4dbf7b3f71cb7, 0x2d0a12f5a0f4e3e5, 0x2d404bd984990e6f, 0x2d745ecfe5bf520b,  // -92..=-89
    0x2da97683df2f268d, 0x2ddfd424d6faf031, 0x2e13e497065cd61f, 0x2e48ddbcc7f40ba6,  // -88..=-85
    0x2e7f152bf9f10e90, 0x2eb36d3b7c36a91a, 0x2ee8488a5b445360, 0x2f1e5aacf2156838,  // -84..=-81
    0x2f52f8ac174d6123, 0x2f87b6d71d20b96c, 0x2fbda48ce468e7c7, 0x2ff286d80ec190dc,  // -80..=-77
    0x3027288e1271f513, 0x305cf2b1970e7258, 0x309217aefe690777, 0x30c69d9abe034955,  // -76..=-73
    0x30fc45016d841baa, 0x3131ab20e472914a, 0x316615e91d8f359d, 0x319b9b6364f30304,  // -72..=-69
    0x31d1411e1f17e1e3, 0x32059165a6ddda5b, 0x323af5bf109550f2, 0x3270d9976a5d5297,  // -68..=-65
    0x32a50ffd44f4a73d, 0x32da53fc9631d10d, 0x3310747ddddf22a8, 0x3344919d5556eb52,  // -64..=-61
    0x3379b604aaaca626, 0x33b011c2eaabe7d8, 0x33e41633a556e1ce, 0x34191bc08eac9a41,  // -60..=-57
    0x344f62b0b257c0d2, 0x34839dae6f76d883, 0x34b8851a0b548ea4, 0x34eea6608e29b24d,  // -56..=-53
    0x352327fc58da0f70, 0x3557f1fb6f10934c, 0x358dee7a4ad4b81f, 0x35c2b50c6ec4f313,  // -52..=-49
    0x35f7624f8a762fd8, 0x362d3ae36d13bbce, 0x366244ce242c5561, 0x3696d601ad376ab9,  // -48..=-45
    0x36cc8b8218854567, 0x3701d7314f534b61, 0x37364cfda3281e39, 0x376be03d0bf225c7,  // -44..=-41
    0x37a16c262777579c, 0x37d5c72fb1552d83, 0x380b38fb9daa78e4, 0x3841039d428a8b8f,  // -40..=-37
    0x38754484932d2e72, 0x38aa95a5b7f87a0f, 0x38e09d8792fb4c49, 0x3914c4e977ba1f5c,  // -36..=-33
    0x3949f623d5a8a733, 0x398039d665896880, 0x39b4484bfeebc2a0, 0x39e95a5efea6b347,  // -32..=-29
    0x3a1fb0f6be506019, 0x3a53ce9a36f23c10, 0x3a88c240c4aecb14, 0x3abef2d0f5da7dd9,  // -28..=-25
    0x3af357c299a88ea7, 0x3b282db34012b251, 0x3b5e392010175ee6, 0x3b92e3b40a0e9b4f,  // -24..=-21
    0x3bc79ca10c924223, 0x3bfd83c94fb6d2ac, 0x3c32725dd1d243ac, 0x3c670ef54646d497,  // -20..=-17
    0x3c9cd2b297d889bc, 0x3cd203af9ee75616, 0x3d06849b86a12b9b, 0x3d3c25c268497682,  // -16..=-13
    0x3d719799812dea11, 0x3da5fd7fe1796495, 0x3ddb7cdfd9d7bdbb, 0x3e112e0be826d695,  // -12..=-9
    0x3e45798ee2308c3a, 0x3e7ad7f29abcaf48, 0x3eb0c6f7a0b5ed8d, 0x3ee4f8b588e368f1,  // -8..=-5
    0x3f1a36e2eb1c432d, 0x3f50624dd2f1a9fc, 0x3f847ae147ae147b, 0x3fb999999999999a,  // -4..=-1
    0x3ff0000000000000, 0x4024000000000000, 0x4059000000000000, 0x408f400000000000,  // 0..=3
    0x40c3880000000000, 0x40f86a0000000000, 0x412e848000000000, 0x416312d000000000,  // 4..=7
    0x4197d78400000000, 0x41cdcd6500000000, 0x4202a05f20000000, 0x42374876e8000000,  // 8..=11
    0x426d1a94a2000000, 0x42a2309ce5400000, 0x42d6bcc41e900000, 0x430c6bf526340000,  // 12..=15
    0x4341c37937e08000, 0x4376345785d8a000, 0x43abc16d674ec800, 0x43e158e460913d00,  // 16..=19
    0x4415af1d78b58c40, 0x444b1ae4d6e2ef50, 0x4480f0cf064dd592, 0x44b52d02c7e14af7,  // 20..=23
    0x44ea784379d99db4, 0x45208b2a2c280291, 0x4554adf4b7320335, 0x4589d971e4fe8402,  // 24..=27
    0x45c027e72f1f1281, 0x45f431e0fae6d721, 0x46293e5939a08cea, 0x465f8def8808b024,  // 28..=31
    0x4693b8b5b5056e17, 0x46c8a6e32246c99c, 0x46fed09bead87c03, 0x4733426172c74d82,  // 32..=35
    0x476812f9cf7920e3, 0x479e17b84357691b, 0x47d2ced32a16a1b1, 0x48078287f49c4a1d,  // 36..=39
    0x483d6329f1c35ca5, 0x48725dfa371a19e7, 0x48a6f578c4e0a061, 0x48dcb2d6f618c879,  // 40..=43
    0x4911efc659cf7d4c, 0x49466bb7f0435c9e, 0x497c06a5ec5433c6, 0x49b18427b3b4a05c,  // 44..=47
    0x49e5e531a0a1c873, 0x4a1b5e7e08ca3a8f, 0x4a511b0ec57e649a, 0x4a8561d276ddfdc0,  // 48..=51
    0x4ababa4714957d30, 0x4af0b46c6cdd6e3e, 0x4b24e1878814c9ce, 0x4b5a19e96a19fc41,  // 52..=55
    0x4b905031e2503da9, 0x4bc4643e5ae44d13, 0x4bf97d4df19d6057, 0x4c2fdca16e04b86d,  // 56..=59
    0x4c63e9e4e4c2f344, 0x4c98e45e1df3b015, 0x4ccf1d75a5709c1b, 0x4d03726987666191,  // 60..=63
    0x4d384f03e93ff9f5, 0x4d6e62c4e38ff872, 0x4da2fdbb0e39fb47, 0x4dd7bd29d1c87a19,  // 64..=67
    0x4e0dac74463a989f, 0x4e428bc8abe49f64, 0x4e772ebad6ddc73d, 0x4eacfa698c95390c,  // 68..=71
    0x4ee21c81f7dd43a7, 0x4f16a3a275d49491, 0x4f4c4c8b1349b9b5, 0x4f81afd6ec0e1411,  // 72..=75
    0x4fb61bcca7119916, 0x4feba2bfd0d5ff5b, 0x502145b7e285bf99, 0x50559725db272f7f,  // 76..=79
    0x508afcef51f0fb5f, 0x50c0de1593369d1b, 0x50f5159af8044462, 0x512a5b01b605557b,  // 80..=83
    0x516078e111c3556d, 0x5194971956342ac8, 0x51c9bcdfabc1357a, 0x5200160bcb58c16c,  // 84..=87
    0x52341b8ebe2ef1c7, 0x526922726dbaae39, 0x529f6b0f092959c7, 0x52d3a2e965b9d81d,  // 88..=91
    0x53088ba3bf284e24, 0x533eae8caef261ad, 0x53732d17ed577d0c, 0x53a7f85de8ad5c4f,  // 92..=95
    0x53ddf67562d8b363, 0x5412ba095dc7701e, 0x5447688bb5394c25, 0x547d42aea2879f2e,  // 96..=99
    0x54b249ad2594c37d, 0x54e6dc186ef9f45c, 0x551c931e8ab87173, 0x5551dbf316b346e8,  // 100..=103
    0x558652efdc6018a2, 0x55bbe7abd3781eca, 0x55f170cb642b133f, 0x5625ccfe3d35d80e,  // 104..=107
    0x565b403dcc834e12, 0x569108269fd210cb, 0x56c54a3047c694fe, 0x56fa9cbc59b83a3d,  // 108..=111
    0x5730a1f5b8132466, 0x5764ca732617ed80, 0x5799fd0fef9de8e0, 0x57d03e29f5c2b18c,  // 112..=115
    0x58044db473335def, 0x583961219000356b, 0x586fb969f40042c5, 0x58a3d3e2388029bb,  // 116..=119
    0x58d8c8dac6a0342a, 0x590efb1178484135, 0x59435ceaeb2d28c1, 0x59783425a5f872f1,  // 120..=123
    0x59ae412f0f768fad, 0x59e2e8bd69aa19cc, 0x5a17a2ecc414a03f, 0x5a4d8ba7f519c84f,  // 124..=127
];

/// The reference runtime's `10**decimals`.
pub fn pow10(decimals: i8) -> f64 {
    let index = usize::from(decimals.cast_unsigned() ^ 0x80);
    POW10_BITS
        .get(index)
        .map_or(f64::NAN, |bits| f64::from_bits(*bits))
}

/// JavaScript `Math.round`: rounds half toward +∞ (`-2.5 → -2`, `2.5 → 3`, `-0.5 → -0`).
pub fn js_round(x: f64) -> f64 {
    let floor = x.floor();
    // `x - floor` is exact for finite x; NaN and ±∞ fall through unchanged.
    if x - floor >= 0.5 { floor + 1.0 } else { floor }
}

/// The integer a value encodes: `Math.round(value · 10**decimals)`, checked against int32.
pub fn scale(value: f64, decimals: i8) -> Result<i32, ValueEncodingError> {
    let word = js_round(value * pow10(decimals)) + EXCESS;
    if !word.is_finite() || word <= 0.0 || word >= WORD_LIMIT {
        return Err(ValueEncodingError::Overflow { value, decimals });
    }
    // In range: an integer in (0, 2^32), so the difference is an exact int32.
    #[allow(clippy::cast_possible_truncation, reason = "range checked above")]
    Ok((word - EXCESS) as i32)
}

/// The word for a value (`None` = empty, word 0).
pub fn encode_word(value: Option<i32>) -> [u8; WORD_LEN] {
    match value {
        None => [0; WORD_LEN],
        Some(v) => (v.cast_unsigned() ^ 0x8000_0000).to_be_bytes(),
    }
}

/// Encodes one provider value for a feed with `decimals`.
pub fn encode_value(
    value: ProviderValue,
    decimals: i8,
) -> Result<[u8; WORD_LEN], ValueEncodingError> {
    let scaled = value.as_number().map(|v| scale(v, decimals)).transpose()?;
    Ok(encode_word(scaled))
}

/// Decodes one word: `None` for the empty word, otherwise `word − 2³¹`.
///
/// The word `0x00000000` is empty; every other word decodes, so the result lies in
/// `[−2³¹+1, 2³¹−1]`.
pub fn decode_word(word: [u8; WORD_LEN]) -> Option<i32> {
    match u32::from_be_bytes(word) {
        0 => None,
        w => Some((w ^ 0x8000_0000).cast_signed()),
    }
}

/// Encodes a list of values in feed order, stripping trailing empty words (keeping at least one).
///
/// `decimals` has one entry per feed; zero feeds give empty bytes.
pub fn encode_values(
    values: &[ProviderValue],
    decimals: &[i8],
) -> Result<Vec<u8>, ValueEncodingError> {
    if values.len() != decimals.len() {
        return Err(ValueEncodingError::LengthMismatch {
            values: values.len(),
            feeds: decimals.len(),
        });
    }
    let mut words = Vec::with_capacity(values.len());
    for (value, decimals) in values.iter().zip(decimals) {
        words.push(encode_value(*value, *decimals)?);
    }
    Ok(join_stripped(&words))
}

/// Encodes already-scaled integers (`None` = empty) with the same trailing-empty stripping.
pub fn encode_scaled(values: &[Option<i32>]) -> Vec<u8> {
    let words: Vec<_> = values.iter().map(|v| encode_word(*v)).collect();
    join_stripped(&words)
}

fn join_stripped(words: &[[u8; WORD_LEN]]) -> Vec<u8> {
    let keep = words
        .iter()
        .rposition(|w| *w != [0; WORD_LEN])
        .map_or(words.len().min(1), |last| last + 1);
    words.iter().take(keep).flatten().copied().collect()
}

/// Decodes revealed value bytes for `feed_count` feeds; missing trailing words are empty.
pub fn decode_values(
    bytes: &[u8],
    feed_count: usize,
) -> Result<Vec<Option<i32>>, ValueDecodingError> {
    let (words, rest) = bytes.as_chunks::<WORD_LEN>();
    if !rest.is_empty() {
        return Err(ValueDecodingError::Length { len: bytes.len() });
    }
    if words.len() > feed_count {
        return Err(ValueDecodingError::TooManyValues {
            words: words.len(),
            feeds: feed_count,
        });
    }
    let mut values: Vec<Option<i32>> = words.iter().map(|w| decode_word(*w)).collect();
    values.resize(feed_count, None);
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_round_rounds_half_toward_positive_infinity() {
        assert_eq!(js_round(2.5), 3.0);
        assert_eq!(js_round(-2.5), -2.0);
        assert_eq!(js_round(-0.5), 0.0);
        assert_eq!(js_round(0.499_999_999_999_999_94), 0.0);
        assert_eq!(js_round(-1.500_000_1), -2.0);
    }

    #[test]
    fn pow10_table_is_indexed_by_decimals() {
        assert_eq!(pow10(0), 1.0);
        assert_eq!(pow10(2), 100.0);
        assert_eq!(pow10(-2), 0.01);
        assert_eq!(pow10(127), 1e127);
        assert_eq!(pow10(-128), 1e-128);
        assert_ne!(pow10(23), 1e23);
    }

    #[test]
    fn encodes_the_digest_examples() {
        let d = [2, 2, 7];
        let n = ProviderValue::Number;
        let hex =
            |v: &[ProviderValue]| alloy_primitives::hex::encode(encode_values(v, &d).unwrap());
        assert_eq!(
            hex(&[n(38573.26), n(2175.125), n(0.02042)]),
            "803adbae800351a980031da8"
        );
        let m = ProviderValue::Missing;
        assert_eq!(hex(&[n(1.5), m, m]), "80000096");
        assert_eq!(hex(&[m, m, m]), "00000000");
        assert_eq!(
            hex(&[n(-1.005), n(-0.005), n(-2.5e-7)]),
            "7fffff9c800000007ffffffe"
        );
        assert_eq!(
            hex(&[ProviderValue::Null, n(1.0), n(1.0)]),
            "800000008000006480989680"
        );
        assert_eq!(encode_values(&[], &[]).unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn overflow_is_an_error() {
        assert_eq!(scale(2_147_483_647.0, 0), Ok(i32::MAX));
        assert_eq!(scale(-2_147_483_647.0, 0), Ok(-i32::MAX));
        assert_eq!(
            scale(-2_147_483_648.0, 0),
            Err(ValueEncodingError::Overflow {
                value: -2_147_483_648.0,
                decimals: 0
            })
        );
        assert!(scale(2_147_483_647.5, 0).is_err());
        assert!(scale(f64::NAN, 0).is_err());
        assert!(scale(f64::INFINITY, 0).is_err());
        assert_eq!(
            encode_values(&[ProviderValue::Null], &[]),
            Err(ValueEncodingError::LengthMismatch {
                values: 1,
                feeds: 0
            })
        );
    }

    #[test]
    fn decodes_words_and_pads_missing_feeds() {
        let bytes = [0x80, 0, 0, 0x96, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff];
        assert_eq!(
            decode_values(&bytes, 4).unwrap(),
            vec![Some(150), None, Some(-1), None]
        );
        assert_eq!(decode_values(&[], 2).unwrap(), vec![None, None]);
        assert_eq!(
            decode_values(&bytes, 2),
            Err(ValueDecodingError::TooManyValues { words: 3, feeds: 2 })
        );
        assert_eq!(
            decode_values(&bytes[..5], 4),
            Err(ValueDecodingError::Length { len: 5 })
        );
        assert_eq!(decode_word([0, 0, 0, 1]), Some(i32::MIN + 1));
    }
}
