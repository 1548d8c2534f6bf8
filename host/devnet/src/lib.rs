//! A local FSP test chain (work in progress).
