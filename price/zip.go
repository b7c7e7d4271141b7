package price

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// zipMagic starts every zip archive. ERCOT's MIS serves each report as
// a zip holding one CSV.
var zipMagic = []byte("PK\x03\x04")

// unzipFeed returns the one feed file (.csv, .xml or .json) inside a
// zip archive, or data unchanged when it is not a zip. The unpacked
// file is bounded by MaxFeedBytes, whatever its header claims, so that
// a zip bomb fails with ETOOLARGE.
func unzipFeed(data []byte) ([]byte, error) {
	if !bytes.HasPrefix(data, zipMagic) {
		return data, nil
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, hearth.WrapError(hearth.EPROTOCOL, err, "The zip archive is unreadable.")
	}
	var found *zip.File
	for _, f := range zr.File {
		name := strings.ToLower(f.Name)
		if strings.HasSuffix(name, ".csv") || strings.HasSuffix(name, ".xml") || strings.HasSuffix(name, ".json") {
			if found != nil {
				return nil, hearth.Errorf(hearth.EINVALID, "The zip archive holds more than one feed file (%s and %s).", found.Name, f.Name)
			}
			found = f
		}
	}
	if found == nil {
		return nil, hearth.Errorf(hearth.EINVALID, "The zip archive holds no .csv, .xml or .json file.")
	}
	rc, err := found.Open()
	if err != nil {
		return nil, hearth.WrapError(hearth.EPROTOCOL, err, "The zip member %s is unreadable.", found.Name)
	}
	defer rc.Close()
	out, err := readLimited(rc, MaxFeedBytes, fmt.Sprintf("The zip member %s", found.Name))
	if err != nil {
		if hearth.ErrorCode(err) == hearth.EINTERNAL {
			return nil, hearth.WrapError(hearth.EPROTOCOL, err, "The zip member %s is unreadable.", found.Name)
		}
		return nil, err
	}
	return out, nil
}
