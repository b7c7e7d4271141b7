package diag

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// The states of a part in the manifest.
const (
	// PartOK means the part is in the archive.
	PartOK = "ok"
	// PartUnavailable means the part could not be collected; the manifest
	// says why, and the archive has no file for it.
	PartUnavailable = "unavailable"
)

// ManifestName is the archive's table of contents, written first.
const ManifestName = "manifest.json"

// Manifest is the bundle's table of contents: what hearth made it, for
// which miner, when, and the fate of every part, so that a reader sees at
// once what is missing and why rather than wondering about a missing file.
type Manifest struct {
	Version     string    `json:"hearth_version"`
	MinerID     string    `json:"miner_id"`
	GeneratedAt time.Time `json:"generated_at"`
	Parts       []Part    `json:"parts"`
}

// Part is one file of the bundle as the manifest lists it.
type Part struct {
	// Name is the file's path in the archive, such as "logs/firmware.log".
	Name string `json:"name"`
	// Status is PartOK or PartUnavailable.
	Status string `json:"status"`
	// Reason says why an unavailable part is missing, in the words of
	// the failure (an unsupported firmware, a miner that did not answer).
	Reason string `json:"reason,omitempty"`
	// Code is the hearth error code of Reason, for tools that sort
	// bundles by cause.
	Code string `json:"code,omitempty"`
	// Source says where the part came from on the miner (the firmware
	// log's CGI script or API path), when it came from the miner.
	Source string `json:"source,omitempty"`
	// Truncated is true when the source was longer than hearth reads and
	// only its beginning is in the part.
	Truncated bool `json:"truncated,omitempty"`
	// Bytes is the file's size in the archive, before compression.
	Bytes int `json:"bytes"`
	// Items counts the part's records (alerts, commands, CSV rows) where
	// that is meaningful, so a summary can say "12 alerts".
	Items int `json:"items,omitempty"`

	data []byte
}

// Bundle is a collected diagnostics bundle, ready to be written.
type Bundle struct {
	// Filename is the name to save the archive under.
	Filename string
	Manifest Manifest

	scrub *scrubber
}

// Part returns the manifest entry of the part named name, or nil.
func (bd *Bundle) Part(name string) *Part {
	for i := range bd.Manifest.Parts {
		if bd.Manifest.Parts[i].Name == name {
			return &bd.Manifest.Parts[i]
		}
	}
	return nil
}

// WriteZip writes the bundle to w as a zip archive: the manifest first,
// then every available part in the manifest's order. It streams: nothing
// but the parts already collected is held in memory.
func (bd *Bundle) WriteZip(w io.Writer) error {
	manifest, err := json.MarshalIndent(bd.Manifest, "", "  ")
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	zw := zip.NewWriter(w)
	files := []Part{{Name: ManifestName, data: bd.scrub.apply(append(manifest, '\n'))}}
	for _, p := range bd.Manifest.Parts {
		if p.Status == PartOK {
			files = append(files, p)
		}
	}
	for _, p := range files {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: p.Name, Method: zip.Deflate, Modified: bd.Manifest.GeneratedAt})
		if err != nil {
			return fmt.Errorf("diagnostics %s: %w", p.Name, err)
		}
		if _, err := f.Write(p.data); err != nil {
			return fmt.Errorf("diagnostics %s: %w", p.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("diagnostics archive: %w", err)
	}
	return nil
}
