// The plugin's CSS, injected once as a <style> element. Colors come from
// the theme variables Mattermost sets on :root (light and dark themes
// alike); the fallbacks are Mattermost's default (Denim) theme.

const CSS = `
.mmapps-backdrop{position:fixed;inset:0;z-index:1100;display:flex;align-items:flex-start;justify-content:center;padding:64px 16px;overflow:auto;background:rgba(0,0,0,.5)}
.mmapps-dialog{position:relative;display:flex;flex-direction:column;width:100%;max-width:600px;max-height:calc(100vh - 128px);background:var(--center-channel-bg,#fff);color:var(--center-channel-color,#3f4350);border:1px solid rgba(var(--center-channel-color-rgb,63,67,80),.16);border-radius:12px;box-shadow:0 20px 32px rgba(0,0,0,.12);font-size:14px;line-height:20px;outline:none}
.mmapps-dialog-form{display:flex;flex-direction:column;min-height:0;flex:1}
.mmapps-dialog-header{display:flex;align-items:center;gap:10px;padding:20px 24px 12px}
.mmapps-dialog-icon{border-radius:4px}
.mmapps-dialog-title{flex:1;margin:0;font-size:20px;line-height:28px;font-weight:600;color:var(--center-channel-color,#3f4350)}
.mmapps-dialog-body{padding:4px 24px 16px;overflow:auto;min-height:0;flex:1}
.mmapps-dialog-footer{display:flex;justify-content:flex-end;align-items:center;flex-wrap:wrap;gap:8px;padding:16px 24px;border-top:1px solid rgba(var(--center-channel-color-rgb,63,67,80),.12)}
.mmapps-icon-button{display:inline-flex;align-items:center;justify-content:center;width:32px;height:32px;padding:0;border:0;border-radius:4px;background:transparent;color:rgba(var(--center-channel-color-rgb,63,67,80),.64);font-size:20px;cursor:pointer}
.mmapps-icon-button:hover{background:rgba(var(--center-channel-color-rgb,63,67,80),.08);color:var(--center-channel-color,#3f4350)}
.mmapps-button{display:inline-flex;align-items:center;justify-content:center;min-height:32px;padding:6px 16px;border:1px solid transparent;border-radius:4px;font-weight:600;font-size:14px;cursor:pointer;background:rgba(var(--button-bg-rgb,28,88,217),.08);color:var(--button-bg,#1c58d9)}
.mmapps-button:hover:not(:disabled){background:rgba(var(--button-bg-rgb,28,88,217),.12)}
.mmapps-button:disabled{opacity:.5;cursor:not-allowed}
.mmapps-button-primary{background:var(--button-bg,#1c58d9);color:var(--button-color,#fff)}
.mmapps-button-primary:hover:not(:disabled){background:var(--button-bg,#1c58d9);filter:brightness(1.08)}
.mmapps-button-tertiary{background:transparent}
.mmapps-button-danger{background:var(--error-text,#d24b4e);color:#fff}
.mmapps-button-danger-outline{background:transparent;color:var(--error-text,#d24b4e);border-color:var(--error-text,#d24b4e)}
.mmapps-button:focus-visible,.mmapps-icon-button:focus-visible,.mmapps-tab:focus-visible{outline:2px solid var(--button-bg,#1c58d9);outline-offset:2px}
.mmapps-field{margin:0 0 16px}
.mmapps-field-label{display:block;margin:0 0 6px;font-weight:600}
.mmapps-required{color:var(--error-text,#d24b4e)}
.mmapps-sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);border:0}
.mmapps-input,.mmapps-combobox-control{box-sizing:border-box;width:100%;min-height:40px;padding:8px 12px;border:1px solid rgba(var(--center-channel-color-rgb,63,67,80),.24);border-radius:4px;background:var(--center-channel-bg,#fff);color:var(--center-channel-color,#3f4350);font:inherit}
textarea.mmapps-input{resize:vertical}
.mmapps-input:focus,.mmapps-combobox-control:focus-within{outline:none;border-color:var(--button-bg,#1c58d9);box-shadow:inset 0 0 0 1px var(--button-bg,#1c58d9)}
.mmapps-has-error .mmapps-input,.mmapps-invalid .mmapps-combobox-control{border-color:var(--error-text,#d24b4e)}
.mmapps-input:disabled,.mmapps-disabled .mmapps-combobox-control{opacity:.6}
.mmapps-input::placeholder,.mmapps-combobox-input::placeholder{color:rgba(var(--center-channel-color-rgb,63,67,80),.56)}
.mmapps-checkbox{display:flex;align-items:center;gap:8px}
.mmapps-checkbox .mmapps-field-label{margin:0;font-weight:400}
.mmapps-checkbox input{width:16px;height:16px;margin:0;accent-color:var(--button-bg,#1c58d9)}
.mmapps-help{margin-top:4px;font-size:12px;line-height:16px;color:rgba(var(--center-channel-color-rgb,63,67,80),.72)}
.mmapps-help p{margin:0}
.mmapps-error-text{color:var(--error-text,#d24b4e)}
.mmapps-field-error{margin-top:4px;font-size:12px;line-height:16px}
.mmapps-form-error{margin:0 0 16px;padding:10px 12px;border-radius:4px;border-left:4px solid var(--error-text,#d24b4e);background:rgba(var(--error-text-color-rgb,210,75,78),.08);color:var(--center-channel-color,#3f4350);outline:none}
.mmapps-form-error p{margin:0}
.mmapps-success{margin:0 0 16px;padding:10px 12px;border-radius:4px;border-left:4px solid var(--online-indicator,#06d6a0);background:rgba(var(--center-channel-color-rgb,63,67,80),.04)}
.mmapps-form-header,.mmapps-form-footer{margin:0 0 16px}
.mmapps-status{color:rgba(var(--center-channel-color-rgb,63,67,80),.72)}
.mmapps-loading{padding:24px 0;text-align:center}
.mmapps-combobox{position:relative}
.mmapps-combobox-control{display:flex;flex-wrap:wrap;align-items:center;gap:4px;padding:4px 8px;cursor:text}
.mmapps-combobox-input{flex:1;min-width:80px;min-height:30px;border:0;outline:none;padding:0 4px;background:transparent;color:inherit;font:inherit}
.mmapps-combobox-caret{color:rgba(var(--center-channel-color-rgb,63,67,80),.56);padding:0 4px;pointer-events:none}
.mmapps-combobox-clear{width:24px;height:24px;font-size:16px}
.mmapps-chip{display:inline-flex;align-items:center;gap:4px;padding:2px 2px 2px 8px;border-radius:12px;background:rgba(var(--center-channel-color-rgb,63,67,80),.08);font-size:12px}
.mmapps-chip-remove{display:inline-flex;align-items:center;justify-content:center;width:18px;height:18px;padding:0;border:0;border-radius:50%;background:transparent;color:inherit;cursor:pointer}
.mmapps-chip-remove:hover{background:rgba(var(--center-channel-color-rgb,63,67,80),.16)}
.mmapps-listbox{position:absolute;left:0;right:0;top:100%;z-index:2;max-height:240px;overflow:auto;margin:4px 0 0;padding:4px 0;list-style:none;background:var(--center-channel-bg,#fff);border:1px solid rgba(var(--center-channel-color-rgb,63,67,80),.16);border-radius:4px;box-shadow:0 8px 24px rgba(0,0,0,.12)}
.mmapps-listbox[hidden]{display:none}
.mmapps-option{display:flex;align-items:center;gap:8px;padding:6px 16px;cursor:pointer}
.mmapps-option.mmapps-active{background:rgba(var(--button-bg-rgb,28,88,217),.08)}
.mmapps-option.mmapps-selected{font-weight:600}
.mmapps-option-icon{border-radius:50%;flex:none}
.mmapps-listbox-status{padding:6px 16px;color:rgba(var(--center-channel-color-rgb,63,67,80),.64)}
.mmapps-markdown p{margin:0 0 8px}
.mmapps-markdown p:last-child{margin-bottom:0}
.mmapps-markdown ul,.mmapps-markdown ol{margin:0 0 8px;padding-left:20px}
.mmapps-markdown code{padding:1px 4px;border-radius:3px;background:rgba(var(--center-channel-color-rgb,63,67,80),.08);font-size:12px}
.mmapps-markdown pre{padding:8px;border-radius:4px;background:rgba(var(--center-channel-color-rgb,63,67,80),.06);overflow:auto}
.mmapps-markdown a,.mmapps-app-homepage{color:var(--link-color,#386fe5)}
.mmapps-binding-label{display:inline-flex;align-items:center;gap:8px}
.mmapps-binding-icon{flex:none;border-radius:2px}
.mmapps-submenu-arrow{margin-left:auto}
.mmapps-header-icon{display:inline-flex;align-items:center;justify-content:center;width:18px;height:18px}
.mmapps-header-letter{border-radius:4px;background:rgba(var(--center-channel-color-rgb,63,67,80),.16);font-size:11px;font-weight:700}
.mmapps-notices{position:fixed;right:24px;bottom:96px;z-index:1000;display:flex;flex-direction:column;gap:8px;width:min(420px,calc(100vw - 48px))}
.mmapps-notice{display:flex;align-items:flex-start;gap:10px;padding:12px 8px 12px 16px;border-radius:8px;border-left:4px solid var(--button-bg,#1c58d9);background:var(--center-channel-bg,#fff);color:var(--center-channel-color,#3f4350);box-shadow:0 8px 24px rgba(0,0,0,.16);font-size:14px;line-height:20px}
.mmapps-notice-error{border-left-color:var(--error-text,#d24b4e)}
.mmapps-notice-body{flex:1;min-width:0;overflow-wrap:anywhere}
.mmapps-notice-title{font-weight:600}
.mmapps-notice-error .mmapps-notice-title{color:var(--error-text,#d24b4e)}
.mmapps-notice-icon{border-radius:4px;margin-top:2px}
.mmapps-marketplace{max-width:760px}
.mmapps-marketplace-toolbar{display:flex;gap:12px;align-items:center;flex-wrap:wrap;margin:0 0 16px}
.mmapps-search{flex:1;min-width:200px}
.mmapps-tabs{display:flex;gap:4px}
.mmapps-tab{padding:6px 12px;border:0;border-radius:4px;background:transparent;color:rgba(var(--center-channel-color-rgb,63,67,80),.72);font-weight:600;cursor:pointer}
.mmapps-tab-active{background:rgba(var(--button-bg-rgb,28,88,217),.08);color:var(--button-bg,#1c58d9)}
.mmapps-app-list{margin:0;padding:0;list-style:none}
.mmapps-app-card{display:flex;gap:16px;padding:16px 0;border-top:1px solid rgba(var(--center-channel-color-rgb,63,67,80),.12)}
.mmapps-app-icon{flex:none;display:flex;align-items:center;justify-content:center;width:40px;height:40px;border-radius:8px;overflow:hidden;background:rgba(var(--center-channel-color-rgb,63,67,80),.08);font-weight:700;font-size:18px}
.mmapps-app-main{flex:1;min-width:0}
.mmapps-app-title{display:flex;align-items:center;flex-wrap:wrap;gap:8px}
.mmapps-app-title h3{margin:0;font-size:16px;line-height:24px;font-weight:600}
.mmapps-app-version{font-size:12px;color:rgba(var(--center-channel-color-rgb,63,67,80),.64)}
.mmapps-badge{padding:0 6px;border-radius:4px;font-size:10px;line-height:16px;font-weight:600;text-transform:uppercase;background:rgba(var(--center-channel-color-rgb,63,67,80),.08)}
.mmapps-badge-installed{background:rgba(var(--button-bg-rgb,28,88,217),.12);color:var(--button-bg,#1c58d9)}
.mmapps-badge-disabled{background:rgba(var(--error-text-color-rgb,210,75,78),.12);color:var(--error-text,#d24b4e)}
.mmapps-app-description{margin:4px 0}
.mmapps-app-details{margin-top:6px;font-size:13px}
.mmapps-app-details summary{cursor:pointer;font-weight:600;color:rgba(var(--center-channel-color-rgb,63,67,80),.8)}
.mmapps-app-details dl{margin:6px 0 0}
.mmapps-app-details dt{font-weight:600;margin-top:4px}
.mmapps-app-details dd{margin:0}
.mmapps-app-details ul{margin:0;padding-left:18px}
.mmapps-app-actions{flex:none;display:flex;flex-direction:column;gap:6px;align-items:stretch;min-width:112px}
.mmapps-confirm{display:flex;flex-direction:column;gap:6px;max-width:220px}
.mmapps-confirm p{margin:0;font-size:13px}
`;

export function styleElementId(pluginId: string): string {
    return `mmapps-styles-${pluginId}`;
}

export function injectStyles(pluginId: string): void {
    if (typeof document === 'undefined' || document.getElementById(styleElementId(pluginId))) {
        return;
    }
    const el = document.createElement('style');
    el.id = styleElementId(pluginId);
    el.textContent = CSS;
    document.head.appendChild(el);
}

export function removeStyles(pluginId: string): void {
    if (typeof document === 'undefined') {
        return;
    }
    document.getElementById(styleElementId(pluginId))?.remove();
}
