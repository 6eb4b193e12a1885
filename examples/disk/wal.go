package disk

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"strings"
)

// A write-ahead log in one file: a sequence of records, each framed as
//
//	length  uint32, little-endian: the payload's length in bytes
//	crc     uint32, little-endian: CRC-32C of the payload
//	payload "key=value"
//
// Appending a record is one WriteAt at the end of the log; it is durable
// once a Sync returns. Recovery reads records from the start up to the first
// one that is not whole (a hole left by a lost write, a torn tail, garbage),
// and cuts the file there, durably, before anything is appended: records
// after a hole were never synced (a Sync covers every write before it), so
// nothing acknowledged is cut, and nothing unsynced is left to come back to
// life behind a new record.

// recordHeader is the size of a record's length and checksum.
const recordHeader = 8

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// record is one put, as the log keeps it.
type record struct {
	key   string
	value int
}

func (r record) encode() []byte {
	payload := r.key + "=" + strconv.Itoa(r.value)
	b := make([]byte, recordHeader, recordHeader+len(payload))
	binary.LittleEndian.PutUint32(b, uint32(len(payload)))
	binary.LittleEndian.PutUint32(b[4:], crc32.Checksum([]byte(payload), castagnoli))
	return append(b, payload...)
}

// decodeRecord reads the record at the start of b, and reports how many
// bytes it takes; ok is false when b does not start with a whole record.
func decodeRecord(b []byte) (r record, n int, ok bool) {
	if len(b) < recordHeader {
		return record{}, 0, false
	}
	size := int(binary.LittleEndian.Uint32(b))
	sum := binary.LittleEndian.Uint32(b[4:])
	if size == 0 || size > len(b)-recordHeader {
		return record{}, 0, false
	}
	payload := b[recordHeader : recordHeader+size]
	if crc32.Checksum(payload, castagnoli) != sum {
		return record{}, 0, false
	}
	key, value, found := strings.Cut(string(payload), "=")
	v, err := strconv.Atoi(value)
	if !found || key == "" || err != nil {
		return record{}, 0, false
	}
	return record{key: key, value: v}, recordHeader + size, true
}

// wal is an open write-ahead log. Invariant: end is the size of the whole
// records appended, which is where the next one goes.
type wal struct {
	f   *File
	end int64
}

// openWAL opens the log named name on d, which must be mounted, and
// recovers it: it returns the whole records in order, having cut (and
// synced the cut of) whatever followed the last of them.
func openWAL(d *Disk, name string) (*wal, []record, error) {
	f, err := d.Open(name)
	if err != nil {
		return nil, nil, err
	}
	size, err := f.Size()
	if err != nil {
		return nil, nil, err
	}
	buf := make([]byte, size)
	if n, err := f.ReadAt(buf, 0); err != nil && !(err == io.EOF && int64(n) == size) {
		return nil, nil, fmt.Errorf("wal: reading %s: %w", name, err)
	}
	var recs []record
	end := 0
	for {
		r, n, ok := decodeRecord(buf[end:])
		if !ok {
			break
		}
		recs = append(recs, r)
		end += n
	}
	if int64(end) < size {
		if err := f.Truncate(int64(end)); err != nil {
			return nil, nil, err
		}
		if err := f.Sync(); err != nil {
			return nil, nil, err
		}
	}
	return &wal{f: f, end: int64(end)}, recs, nil
}

// append writes r at the end of the log. It is not durable until sync.
func (l *wal) append(r record) error {
	b := r.encode()
	if _, err := l.f.WriteAt(b, l.end); err != nil {
		return err
	}
	l.end += int64(len(b))
	return nil
}

// sync makes every record appended so far durable.
func (l *wal) sync() error { return l.f.Sync() }
