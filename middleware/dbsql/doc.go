// Package dbsql instruments database/sql.
package dbsql
