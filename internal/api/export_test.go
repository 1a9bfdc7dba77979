package api

// RequestBodies returns constructors of every request body type, for the
// external tests (FuzzDecodeJSON decodes into each).
func RequestBodies() map[string]func() any {
	return map[string]func() any{
		"signup":              func() any { return new(signupRequest) },
		"login":               func() any { return new(loginRequest) },
		"token":               func() any { return new(tokenRequest) },
		"team":                func() any { return new(teamRequest) },
		"member":              func() any { return new(memberRequest) },
		"product_owner":       func() any { return new(productOwnerRequest) },
		"invite":              func() any { return new(inviteRequest) },
		"responsibility":      func() any { return new(responsibilityRequest) },
		"estimation":          func() any { return new(estimationRequest) },
		"vote":                func() any { return new(voteRequest) },
		"accept":              func() any { return new(acceptRequest) },
		"skip":                func() any { return new(skipRequest) },
		"queue":               func() any { return new(queueRequest) },
		"timer":               func() any { return new(timerRequest) },
		"estimation_settings": func() any { return new(settingsRequest) },
	}
}
