package fakemm

import (
	"net/http"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// Error ids and English messages are the server's (its i18n catalogue), so a
// plugin that branches on Id or StatusCode sees what it would see in production.

func appErr(where, id, message string, status int) *model.AppError {
	return model.NewAppError(where, id, message, "", status)
}

func appErrDetails(where, id, message, details string, status int) *model.AppError {
	return model.NewAppError(where, id, message, details, status)
}

func errUserMissing(where string) *model.AppError {
	return appErr(where, "app.user.missing_account.const", "Unable to find the user.", http.StatusNotFound)
}

func errBotMissing(where, id string) *model.AppError {
	return appErrDetails(where, "store.sql_bot.get.missing.app_error", "Bot does not exist.", "user_id="+id, http.StatusNotFound)
}

func errTeamMissing(where string) *model.AppError {
	return appErr(where, "app.team.get.find.app_error", "Unable to find the existing team.", http.StatusNotFound)
}

func errChannelMissing(where string) *model.AppError {
	return appErr(where, "app.channel.get.existing.app_error", "Unable to find the existing channel.", http.StatusNotFound)
}

func errPostMissing(where string) *model.AppError {
	return appErr(where, "app.post.get.app_error", "Unable to get the post.", http.StatusNotFound)
}

func errOAuthDisabled(where, id string) *model.AppError {
	return appErr(where, id, "The system admin has turned off OAuth2 Service Provider.", http.StatusNotImplemented)
}
