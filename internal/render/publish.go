package render

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"

	"snapshotter/internal/atomicfile"
)

// Every page, snapshot and script is published twice: as itself and
// gzip-compressed beside it as <name>.gz, which nginx's gzip_static sends
// to browsers that accept gzip without compressing anything per request.
//
// The two files cannot be replaced in one step, so the order is chosen:
// the .gz first, the plain file last. While only the .gz is new, a browser
// that accepts gzip gets the new version and one that does not gets the
// old one; each gets a whole file of one version. The plain file is what
// the next publish compares with, so it is written last: a crash between
// the two renames leaves a plain file that still differs from the new
// content, and the next publish writes both again. The .gz is checked too,
// by the CRC-32 and the length that gzip keeps in its last eight bytes, so
// a .gz that does not hold the plain file (missing, or left from another
// version) is rewritten even when the plain file is unchanged.
//
// A page's pair is published only after its JSON's pair, so whichever
// encoding a browser asks for, a page is never newer than its data.

// writePair writes data to path and its gzip copy to path.gz, atomically
// each, skipping both when they already hold data. It reports whether
// anything was written.
func writePair(path string, data []byte) (bool, error) {
	if current(path, data) {
		return false, nil
	}
	gz, err := compress(data)
	if err != nil {
		return false, fmt.Errorf("compress %s: %w", path, err)
	}
	if err := atomicfile.Write(path+".gz", gz, filePerm); err != nil {
		return false, err
	}
	if _, err := atomicfile.WriteIfChanged(path, data, filePerm); err != nil {
		return false, err
	}
	return true, nil
}

// current reports whether path holds exactly data and path.gz holds its
// compressed copy.
func current(path string, data []byte) bool {
	old, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(old, data) {
		return false
	}
	return gzipHolds(path+".gz", data)
}

// gzipHolds reports whether the single-member gzip file at path ends with
// data's CRC-32 and length, as a gzip file of data does. It reads eight
// bytes, not the whole file.
func gzipHolds(path string, data []byte) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	fi, err := f.Stat()
	// A gzip file has a 10-byte header and an 8-byte trailer at least.
	if err != nil || fi.Size() < 18 {
		return false
	}
	var tail [8]byte
	if _, err := f.ReadAt(tail[:], fi.Size()-8); err != nil && err != io.EOF {
		return false
	}
	sum := binary.LittleEndian.Uint32(tail[:4])
	size := binary.LittleEndian.Uint32(tail[4:])
	return sum == crc32.ChecksumIEEE(data) && size == uint32(len(data))
}

// gzipLevel trades a little size for speed: level 5 compresses the pages
// and snapshots within a few percent of level 9 (docs/benchmarks.md) at a
// fraction of the CPU, which matters for a 30 MB snapshot of 100,000
// candles rewritten every minute.
const gzipLevel = 5

// gzipWriters keeps compressors between publishes: each holds about a
// megabyte of tables, which would otherwise be allocated for every file.
var gzipWriters = sync.Pool{New: func() any {
	w, err := gzip.NewWriterLevel(io.Discard, gzipLevel)
	if err != nil {
		panic(err) // only for a level out of range
	}
	return w
}}

// compress returns data gzip-compressed. The header carries no name and no
// time, so the same data always gives the same bytes.
func compress(data []byte) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(data)/4 + 64)
	w := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(w)
	w.Reset(&b)
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
