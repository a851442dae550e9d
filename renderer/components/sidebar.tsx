/** The app's left column: the mark, the page links, and the link to the provider. */
import { type PageId, pageHref, pages } from '../navigation.js';
import { ConnectionStatusPill } from './connection-status.js';
import { HearthMark } from './hearth-mark.js';

/** The sidebar, with `current` marked as the page showing. */
export function Sidebar({ current }: { current: PageId }) {
  return (
    <aside className="sidebar">
      <div className="brand">
        <HearthMark />
        <span className="brand-name">Hearth</span>
      </div>
      <nav aria-label="Main">
        <ul className="nav-list">
          {pages.map((page) => (
            <li key={page.id}>
              <a
                href={pageHref(page.id)}
                className="nav-link"
                aria-current={page.id === current ? 'page' : undefined}
              >
                {page.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="sidebar-foot">
        <ConnectionStatusPill />
      </div>
    </aside>
  );
}
