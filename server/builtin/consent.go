package builtin

import (
	"fmt"
	"strings"

	"github.com/mattermost-community/apps-plugin/apps"
)

func needsConsent(m apps.Manifest) bool {
	return len(m.RequestedPermissions) > 0 || len(m.RequestedLocations) > 0
}

// ConsentText says, in plain words, what the app asks for.
func ConsentText(m apps.Manifest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** (`%s`, version %s) asks for:\n", m.DisplayName, m.AppID, m.Version)
	if len(m.RequestedPermissions) > 0 {
		b.WriteString("\nPermissions:\n")
		for _, p := range m.RequestedPermissions {
			fmt.Fprintf(&b, "- %s\n", p.String())
		}
	}
	if len(m.RequestedLocations) > 0 {
		b.WriteString("\nLocations in Mattermost:\n")
		for _, l := range m.RequestedLocations {
			fmt.Fprintf(&b, "- %s\n", l.Markdown())
		}
	}
	return b.String()
}

// newConsentForm is the install consent form of m: consent (when the app
// asks for anything), the deploy type (refreshing the form), and the JWT
// secret for HTTP apps that use one. The form's state is the app id.
func (a *App) newConsentForm(m apps.Manifest, deployType apps.DeployType) apps.Form {
	types := a.proxy.DeployableTypes(m)
	if deployType == "" && len(types) == 1 {
		deployType = types[0]
	}
	submit := userCall(PathInstallConsent)
	submit.State = string(m.AppID)
	source := userCall(PathInstallConsentForm)
	source.State = string(m.AppID)
	form := apps.Form{
		Title:  "Install App " + m.DisplayName,
		Header: ConsentText(m),
		Icon:   a.iconURL(m),
		Submit: submit,
		Source: source,
	}
	if needsConsent(m) {
		form.Fields = append(form.Fields, apps.Field{
			Name: fieldConsent, Type: apps.FieldTypeBool, Label: fieldConsent, IsRequired: true,
			ModalLabel:  "Agree to grant the app access to APIs and locations",
			Description: "The app can use these permissions and show up in these locations.",
		})
	}
	options := make([]apps.SelectOption, 0, len(types))
	for _, t := range types {
		options = append(options, apps.SelectOption{Label: t.String(), Value: string(t)})
	}
	dt := apps.Field{
		Name: fieldDeployType, Type: apps.FieldTypeStaticSelect, Label: "deploy-type", ModalLabel: "Deployment type",
		IsRequired: true, SelectRefresh: true, Options: options,
		Description: "How Mattermost reaches the app.",
	}
	if deployType != "" {
		dt.Value = apps.SelectOption{Label: deployType.String(), Value: string(deployType)}
	}
	form.Fields = append(form.Fields, dt)
	if deployType == apps.DeployHTTP && m.HTTP != nil && m.HTTP.UseJWT {
		form.Fields = append(form.Fields, apps.Field{
			Name: fieldSecret, Type: apps.FieldTypeText, Subtype: apps.TextFieldSubtypePassword, Label: fieldSecret,
			ModalLabel: "Outgoing JWT Secret", IsRequired: true,
			Description: "The secret the app uses to verify the JWT the plugin signs its requests with.",
		})
	}
	return form
}

// iconURL is the absolute URL of m's icon: the consent form belongs to the
// built-in app, so a relative icon would be resolved against its files.
func (a *App) iconURL(m apps.Manifest) string {
	if m.Icon == "" || strings.HasPrefix(m.Icon, "http://") || strings.HasPrefix(m.Icon, "https://") {
		return m.Icon
	}
	return a.conf.Get().PluginURL + "/apps/" + string(m.AppID) + "/static/" + m.Icon
}
