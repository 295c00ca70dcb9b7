"""SQLAlchemy Core tables on a plain MetaData, portable to SQLite."""
import sqlalchemy as sa

metadata = sa.MetaData()

author = sa.Table(
    "author",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("handle", sa.String(40), nullable=False, unique=True),
    sa.Column("display_name", sa.String(120), nullable=False),
    sa.Column("bio", sa.Text),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("joined", sa.DateTime, nullable=False, server_default=sa.func.current_timestamp()),
)

post = sa.Table(
    "post",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("author_id", sa.Integer, sa.ForeignKey("author.id", ondelete="CASCADE"), nullable=False),
    sa.Column("slug", sa.String(200), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("body", sa.Text, nullable=False, server_default=""),
    sa.Column("published_at", sa.DateTime),
    sa.Column("score", sa.Float, nullable=False, server_default=sa.text("0")),
    sa.UniqueConstraint("author_id", "slug", name="post_author_slug"),
    sa.CheckConstraint("score >= 0", name="post_score_check"),
)
sa.Index("post_published", post.c.published_at)

tag = sa.Table(
    "tag",
    metadata,
    sa.Column("name", sa.String(50), primary_key=True),
)

post_tag = sa.Table(
    "post_tag",
    metadata,
    sa.Column("post_id", sa.Integer, sa.ForeignKey("post.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_name", sa.String(50), sa.ForeignKey("tag.name"), primary_key=True),
)
sa.Index("post_tag_by_tag", post_tag.c.tag_name)
