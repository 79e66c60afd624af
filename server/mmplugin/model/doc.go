// Package model holds our own copies of the Mattermost server's model types that
// cross the plugin boundary.
//
// The plugin protocol gob-encodes Go structs and matches them by exported field
// name, so every field here carries the server's exact name and a type gob
// accepts as compatible with the server's. We declare only the fields the Apps
// plugin (and its test host) use: gob skips fields a side does not declare.
// JSON tags are the server's, so these types also read and write Mattermost's
// REST shapes.
package model
