package kvdb

import (
	"fmt"

	"github.com/btcsuite/btcwallet/walletdb"
)

// DriverName is the walletdb driver name registered by this package.
const DriverName = "lnwasm-kv"

// driverOpen parses the single driver argument, a Journal (nil or an untyped
// nil for a memory-only database), and opens the database. Create and Open
// are the same: a journal with no records is a new, empty database, so
// neither walletdb.ErrDbExists nor ErrDbDoesNotExist is ever returned.
func driverOpen(funcName string, args ...interface{}) (walletdb.DB, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("kvdb: %s.%s takes 1 argument (a "+
			"kvdb.Journal), got %d", DriverName, funcName, len(args))
	}
	j, ok := args[0].(Journal)
	if !ok && args[0] != nil {
		return nil, fmt.Errorf("kvdb: %s.%s argument is %T, want "+
			"kvdb.Journal", DriverName, funcName, args[0])
	}
	// Go through Open so a failure is a nil interface, not a nil *DB.
	return Open(j)
}

// init registers the driver so code written against walletdb.Create/Open
// (as neutrino's callers are) can select it by name.
func init() {
	err := walletdb.RegisterDriver(walletdb.Driver{
		DbType: DriverName,
		Create: func(args ...interface{}) (walletdb.DB, error) {
			return driverOpen("Create", args...)
		},
		Open: func(args ...interface{}) (walletdb.DB, error) {
			return driverOpen("Open", args...)
		},
	})
	if err != nil {
		panic(fmt.Sprintf("kvdb: register walletdb driver %q: %v",
			DriverName, err))
	}
}
