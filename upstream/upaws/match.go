package upaws

import (
	"strings"

	"github.com/mattermost-community/apps-plugin/apps"
)

// MatchFunction returns the function a call to callPath goes to: the one
// whose Path is the longest string prefix of callPath (ties keep the first
// listed). ok is false when none matches.
func MatchFunction(functions []apps.AWSLambdaFunction, callPath string) (fn apps.AWSLambdaFunction, ok bool) {
	best := -1
	for i, f := range functions {
		if strings.HasPrefix(callPath, f.Path) && (best < 0 || len(f.Path) > len(functions[best].Path)) {
			best = i
		}
	}
	if best < 0 {
		return apps.AWSLambdaFunction{}, false
	}
	return functions[best], true
}
