package appcommand

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/proxy"
)

// DialogPath is the plugin route interactive dialogs are submitted to.
const DialogPath = "/api/v1/dialog"

// Limits of the server's dialog validation.
const (
	dialogTitleMax       = 24
	dialogDisplayNameMax = 24
	dialogHelpTextMax    = 150
	dialogPlaceholderMax = 150
)

// dialogState is what a dialog carries back on submission: the call to make
// and the context it was opened in. It is client-visible; the submission
// still goes through InvokeCall with the submitter's identity and checks.
type dialogState struct {
	AppID      apps.AppID    `json:"app_id"`
	Call       apps.Call     `json:"call"`
	ChannelID  string        `json:"channel_id,omitempty"`
	TeamID     string        `json:"team_id,omitempty"`
	RootPostID string        `json:"root_post_id,omitempty"`
	Location   apps.Location `json:"location,omitempty"`
	Fields     []stateField  `json:"fields,omitempty"`
}

type stateField struct {
	Name  string            `json:"n"`
	Type  apps.FieldType    `json:"t,omitempty"`
	Label map[string]string `json:"o,omitempty"` // option value -> label
}

// dialogFor converts a form to an interactive dialog; false when the form
// has fields a dialog cannot show (dynamic selects, multiselects).
func dialogFor(form apps.Form, title string, values map[string]any) (model.Dialog, []stateField, bool) {
	d := model.Dialog{
		CallbackId:       "apps",
		Title:            truncate(firstNonEmpty(form.Title, title), dialogTitleMax),
		IntroductionText: form.Header,
		IconURL:          form.Icon,
		SubmitLabel:      "Submit",
	}
	var fields []stateField
	for _, f := range form.Fields {
		if f.Type == apps.FieldTypeMarkdown {
			if md, ok := f.Value.(string); ok && md != "" {
				d.IntroductionText = strings.TrimSpace(d.IntroductionText + "\n\n" + md)
			} else if f.Description != "" {
				d.IntroductionText = strings.TrimSpace(d.IntroductionText + "\n\n" + f.Description)
			}
			continue
		}
		if f.SelectIsMulti || f.Type == apps.FieldTypeDynamicSelect {
			return model.Dialog{}, nil, false
		}
		v := values[f.Name]
		if v == nil {
			v = f.Value
		}
		el := model.DialogElement{
			DisplayName: truncate(firstNonEmpty(f.ModalLabel, f.Label, f.Name), dialogDisplayNameMax),
			Name:        f.Name,
			HelpText:    truncate(f.Description, dialogHelpTextMax),
			Placeholder: truncate(f.Hint, dialogPlaceholderMax),
			Optional:    !f.IsRequired,
			Default:     defaultText(v),
		}
		sf := stateField{Name: f.Name, Type: f.Type}
		switch f.Type {
		case apps.FieldTypeBool:
			el.Type = "bool"
		case apps.FieldTypeStaticSelect:
			el.Type = "select"
			sf.Label = map[string]string{}
			for _, o := range f.Options {
				el.Options = append(el.Options, &model.PostActionOptions{Text: o.Label, Value: o.Value})
				sf.Label[o.Value] = o.Label
			}
		case apps.FieldTypeUser:
			el.Type, el.DataSource = "select", "users"
		case apps.FieldTypeChannel:
			el.Type, el.DataSource = "select", "channels"
		default:
			el.Type = "text"
			el.MinLength, el.MaxLength = f.MinLength, f.MaxLength
			switch f.Subtype {
			case apps.TextFieldSubtypeTextarea:
				el.Type = "textarea"
			case "", apps.TextFieldSubtypeInput:
			default:
				el.SubType = string(f.Subtype)
			}
		}
		d.Elements = append(d.Elements, el)
		fields = append(fields, sf)
	}
	return d, fields, true
}

func defaultText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	case apps.SelectOption:
		return x.Value
	case map[string]any:
		if s, ok := x["value"].(string); ok {
			return s
		}
	}
	return fmt.Sprint(v)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// openDialog shows form as an interactive dialog, when the command came
// with a trigger id and the form fits in one.
func (inv *invocation) openDialog(form apps.Form, values map[string]any) bool {
	if inv.triggerID == "" || form.Submit == nil {
		return false
	}
	title := string(inv.appID)
	if app, err := inv.s.proxy.GetInstalledApp(inv.appID); err == nil && app.DisplayName != "" {
		title = app.DisplayName
	}
	d, fields, ok := dialogFor(form, title, values)
	if !ok {
		return false
	}
	state, err := json.Marshal(dialogState{
		AppID: inv.appID, Call: *form.Submit, ChannelID: inv.args.ChannelId, TeamID: inv.args.TeamId,
		RootPostID: inv.args.RootId, Location: inv.location, Fields: fields,
	})
	if err != nil {
		return false
	}
	d.State = string(state)
	conf := inv.s.conf.Get()
	appErr := inv.s.api.OpenInteractiveDialog(model.OpenDialogRequest{
		TriggerId: inv.triggerID,
		URL:       "/plugins/" + conf.PluginID + DialogPath,
		Dialog:    d,
	})
	if appErr != nil {
		inv.s.api.LogWarn("Could not open an app's form as a dialog", "app_id", string(inv.appID), "error", appErr.Error())
		return false
	}
	return true
}

// SubmitDialog makes the call of a submitted dialog as the submitting user.
// The app's answer is posted back ephemerally; its error (and field errors)
// are shown in the dialog.
func (s *Service) SubmitDialog(ctx context.Context, in proxy.Incoming, req model.SubmitDialogRequest) (model.SubmitDialogResponse, error) {
	if req.Cancelled {
		return model.SubmitDialogResponse{}, nil
	}
	var st dialogState
	if err := json.Unmarshal([]byte(req.State), &st); err != nil || st.AppID == "" {
		return model.SubmitDialogResponse{}, fmt.Errorf("%w: the dialog's state is not an app call", proxy.ErrInvalid)
	}
	values := map[string]any{}
	for _, f := range st.Fields {
		v, ok := req.Submission[f.Name]
		if !ok || v == nil {
			continue
		}
		switch f.Type {
		case apps.FieldTypeBool:
			if s, isString := v.(string); isString {
				b, _ := parseBool(s)
				v = b
			}
		case apps.FieldTypeStaticSelect, apps.FieldTypeUser, apps.FieldTypeChannel:
			val := fmt.Sprint(v)
			label := val
			if l, ok := f.Label[val]; ok {
				label = l
			}
			v = apps.SelectOption{Label: label, Value: val}
		default:
			if _, isString := v.(string); !isString {
				v = fmt.Sprint(v)
			}
		}
		values[f.Name] = v
	}
	ctx, cancel := context.WithTimeout(ctx, executeTimeout)
	defer cancel()
	cc := apps.Context{UserAgentContext: apps.UserAgentContext{
		AppID: st.AppID, ChannelID: st.ChannelID, TeamID: st.TeamID, RootPostID: st.RootPostID, Location: st.Location,
	}}
	resp, err := s.proxy.InvokeCall(ctx, in, apps.CallRequest{Call: st.Call, Values: values, Context: cc})
	if err != nil {
		return model.SubmitDialogResponse{Error: err.Error()}, nil
	}
	post := func(text string) {
		if text == "" || st.ChannelID == "" {
			return
		}
		botID := ""
		if resp.AppMetadata != nil {
			botID = resp.AppMetadata.BotUserID
		}
		s.api.SendEphemeralPost(in.ActingUserID, &model.Post{ChannelId: st.ChannelID, RootId: st.RootPostID, UserId: botID, Message: text})
	}
	switch resp.Type {
	case apps.CallResponseTypeError:
		out := model.SubmitDialogResponse{Error: resp.Text}
		if data, ok := resp.Data.(map[string]any); ok {
			if errs, ok := data["errors"].(map[string]any); ok {
				out.Errors = map[string]string{}
				for k, v := range errs {
					out.Errors[k] = fmt.Sprint(v)
				}
			}
		}
		return out, nil
	case apps.CallResponseTypeForm:
		post(fmt.Sprintf("App %s asks for more input:\n\n%s", st.AppID, formUsage("/"+strings.TrimPrefix(strings.ReplaceAll(strings.TrimPrefix(string(st.Location), string(apps.LocationCommand)), "/", " "), " "), *resp.Form)))
	case apps.CallResponseTypeNavigate:
		post(resp.NavigateToURL)
	default:
		post(resp.Text)
	}
	return model.SubmitDialogResponse{}, nil
}
