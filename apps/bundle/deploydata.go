package bundle

import (
	"encoding/json"
	"io"

	"github.com/mattermost-community/apps-plugin/apps"
)

// ProvisionData is what deploying a bundle to AWS needs: where each static
// file and the manifest go in S3, and the name, handler and runtime of each
// Lambda function. Its JSON is the one upstream's appsctl printed
// ("provision generate-terraform-data", later "terraform generate-data") and
// the Cloud deployer reads:
//
//	{"static_files": {"<name under static/>": {"key": "static/<appID>_<version>_app/<name>"}},
//	 "lambda_functions": {"<manifest function name>": {"name": "...", "handler": "...", "runtime": "..."}},
//	 "manifest_key": "manifests/<appID>_<version>.json"}
type ProvisionData struct {
	StaticFiles     map[string]AssetData    `json:"static_files"`
	LambdaFunctions map[string]FunctionData `json:"lambda_functions"`
	Manifest        *apps.Manifest          `json:"-"`
	ManifestKey     string                  `json:"manifest_key"`
}

// DeployData is ProvisionData under its v1 name.
type DeployData = ProvisionData

// AssetData is where a static file goes in S3.
type AssetData struct {
	Key string `json:"key"`
}

// FunctionData is an AWS Lambda function to create.
type FunctionData struct {
	// Name is the AWS Lambda function name (apps.LambdaName).
	Name    string `json:"name"`
	Handler string `json:"handler"`
	Runtime string `json:"runtime"`
}

// ProvisionData returns the bundle's deploy data.
func (b *Bundle) ProvisionData() *ProvisionData {
	d := &ProvisionData{
		StaticFiles:     make(map[string]AssetData, len(b.Static)),
		LambdaFunctions: make(map[string]FunctionData, len(b.Functions)),
		Manifest:        b.Manifest,
		ManifestKey:     b.ManifestKey(),
	}
	for _, s := range b.Static {
		d.StaticFiles[s.Name] = AssetData{Key: b.StaticKey(s)}
	}
	for _, f := range b.Functions {
		d.LambdaFunctions[f.Name] = FunctionData{Name: b.LambdaName(f), Handler: f.Handler, Runtime: f.Runtime}
	}
	return d
}

// GetProvisionDataFromFile opens and checks the bundle at path and returns
// its deploy data. (Upstream v1 called it GetDeployDataFromFile.)
func GetProvisionDataFromFile(path string) (*ProvisionData, error) {
	b, err := openFile(path, DefaultLimits(), false)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	return b.ProvisionData(), nil
}

// GetProvisionData checks the bundle of size bytes in r and returns its
// deploy data.
func GetProvisionData(r io.ReaderAt, size int64) (*ProvisionData, error) {
	b, err := newBundle(r, size, DefaultLimits(), false)
	if err != nil {
		return nil, err
	}
	return b.ProvisionData(), nil
}

// JSON encodes d the way appsctl prints it: tab-indented, map keys sorted.
func (d *ProvisionData) JSON() ([]byte, error) {
	return json.MarshalIndent(d, "", "\t")
}
