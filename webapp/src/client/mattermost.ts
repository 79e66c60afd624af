// The Mattermost REST routes the user and channel pickers use.

import type {Channel} from '@mattermost/types/channels';
import type {UserProfile} from '@mattermost/types/users';

import type {HttpClient} from './http';

export class MattermostClient {
    private readonly http: HttpClient;

    constructor(http: HttpClient) {
        this.http = http;
    }

    // GET /api/v4/users/autocomplete?in_team=&name= → {users, out_of_channel?}
    public async autocompleteUsers(teamId: string, name: string, signal?: AbortSignal): Promise<UserProfile[]> {
        const raw = await this.http.get<{users?: UserProfile[]; out_of_channel?: UserProfile[]} | UserProfile[]>(
            '/api/v4/users/autocomplete',
            {query: {in_team: teamId || undefined, name}, signal},
        );
        if (Array.isArray(raw)) {
            return raw;
        }
        return [...(raw?.users ?? []), ...(raw?.out_of_channel ?? [])];
    }

    // GET /api/v4/teams/{team_id}/channels/autocomplete?name= → [Channel]
    public async autocompleteChannels(teamId: string, name: string, signal?: AbortSignal): Promise<Channel[]> {
        const raw = await this.http.get<Channel[]>(
            `/api/v4/teams/${encodeURIComponent(teamId)}/channels/autocomplete`,
            {query: {name}, signal},
        );
        return Array.isArray(raw) ? raw : [];
    }

    public profileImageURL(user: Pick<UserProfile, 'id' | 'last_picture_update'>): string {
        return this.http.url(`/api/v4/users/${encodeURIComponent(user.id)}/image`, {_: user.last_picture_update || 0});
    }
}
