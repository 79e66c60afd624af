// Package apps is the contract shared by every part of the Mattermost Apps
// framework: the plugin, appsctl, the local Lambda runner and app authors.
//
// It holds the app manifest (v1 and the older v0.x form, decoded into one
// model), the wire types exchanged with apps (Call, CallRequest, CallResponse,
// Context, Binding, Form, Field, ...), the installed App record, the JWT
// helpers for outgoing requests, the AWS naming rules and the documented
// limits. JSON field names match the upstream framework (v1.2.2), so existing
// apps work unchanged.
//
// Errors caused by bad input match ErrInvalid with errors.Is (and ErrTooLarge
// when a size limit is exceeded); they name the offending value.
//
// The package imports only the standard library and golang-jwt/jwt/v4.
package apps
