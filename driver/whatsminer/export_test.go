package whatsminer

// Exported for the external tests' fake miners, which must compute what a
// real btminer computes to check hearth's requests.
var (
	MD5Crypt     = md5crypt
	MD5CryptHash = md5cryptHash
	AESKey       = aesKey
	EncryptECB   = encryptECB
	DecryptECB   = decryptECB
)
