/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Table-driven sysfs directories for the DAMON sysfs interface.
 *
 * A directory is described once, by a struct damon_sysfs_dir_type: a table
 * of files, each mapping a file name and mode to one field of a C object
 * and to how that field is parsed and printed, a table of fixed
 * subdirectories, and optionally the type of numbered children that an
 * "nr_*" file creates.  One generic set of show/store functions serves every
 * file, so adding a file is one table line and all files parse and validate
 * their input the same way.
 *
 * Two kinds of directories exist.  An *object* directory (type->size set) is
 * embedded at the start of its own object, e.g. struct damon_sysfs_target,
 * whose fields its files show.  A *view* directory (type->size 0) has no
 * data of its own: its files show fields of the nearest object directory
 * above it, which is how "monitoring_attrs/intervals/sample_us" ends up as a
 * field of the context object.
 *
 * Nothing here is an API for other kernel code.
 */

#ifndef _MM_DAMON_SYSFS_COMMON_H
#define _MM_DAMON_SYSFS_COMMON_H

#include <linux/build_bug.h>
#include <linux/damon.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/stddef.h>
#include <linux/sysfs.h>

extern struct mutex damon_sysfs_lock;

/* How a file's field is stored, parsed and printed. */
enum damon_sysfs_ftype {
	DAMON_SYSFS_FT_ULONG,	/* unsigned long, kstrtoul base 0, "%lu" */
	DAMON_SYSFS_FT_UINT,	/* unsigned int, kstrtouint base 0, "%u" */
	DAMON_SYSFS_FT_INT,	/* int, kstrtoint base 0, "%d" */
	DAMON_SYSFS_FT_BOOL,	/* bool, kstrtobool, "Y" or "N" */
	DAMON_SYSFS_FT_KEYWORD,	/* unsigned int index into a keyword list */
	DAMON_SYSFS_FT_CUSTOM,	/* own show/store, no field */
};

/**
 * struct damon_sysfs_file - one line of a directory's file table.
 * @kattr:	the sysfs attribute: name, mode, show and store.
 * @ftype:	how the field is stored, parsed and printed.
 * @off:	offset of the field in the object the directory shows.
 * @dflt:	the field's value in a new directory.
 * @min:	smallest value accepted by unsigned number files.
 * @keywords:	NULL-terminated keyword list of a keyword file; a stored
 *		value is an index into it.
 */
struct damon_sysfs_file {
	struct kobj_attribute kattr;
	enum damon_sysfs_ftype ftype;
	size_t off;
	long dflt;
	unsigned long min;
	const char * const *keywords;
};

struct damon_sysfs_dir;
struct damon_sysfs_list;

/**
 * struct damon_sysfs_subdir - a fixed subdirectory of a directory type.
 * @name:	the subdirectory's name.
 * @type:	its type.
 */
struct damon_sysfs_subdir {
	const char *name;
	const struct damon_sysfs_dir_type *type;
};

/**
 * struct damon_sysfs_dir_type - what a kind of directory contains.
 * @size:	size of the object that embeds the directory, or 0 for a view
 *		on the object of the parent directory.
 * @files:	the file table.
 * @nr_files:	entries in @files.
 * @subdirs:	the fixed subdirectories, created in this order.
 * @nr_subdirs:	entries in @subdirs.
 * @child:	for a list (an object of type struct damon_sysfs_list): the
 *		type of its numbered children.
 * @max_children: for a list: the most children allowed; 0 means no limit.
 * @busy:	for a list (may be NULL): whether its children must stay as
 *		they are for now; called with damon_sysfs_lock held.
 * @cleanup:	release what the object holds besides memory (may be NULL);
 *		called once the directory has left sysfs and none of its
 *		files is in use.
 */
struct damon_sysfs_dir_type {
	size_t size;
	const struct damon_sysfs_file *files;
	unsigned int nr_files;
	const struct damon_sysfs_subdir *subdirs;
	unsigned int nr_subdirs;
	const struct damon_sysfs_dir_type *child;
	unsigned int max_children;
	bool (*busy)(struct damon_sysfs_list *list);
	void (*cleanup)(struct damon_sysfs_dir *dir);
};

/**
 * struct damon_sysfs_dir - a directory in the DAMON sysfs tree.
 * @kobj:	its kobject.
 * @type:	what it contains.
 * @obj:	the object whose fields its files show.
 * @subdirs:	its fixed subdirectories, in the order of @type->subdirs.
 */
struct damon_sysfs_dir {
	struct kobject kobj;
	const struct damon_sysfs_dir_type *type;
	void *obj;
	struct damon_sysfs_dir **subdirs;
};

/**
 * struct damon_sysfs_list - a directory of numbered children, "0" to "N-1",
 * whose number an "nr_*" file sets.
 * @dir:	the directory.
 * @nr:		the number of children.
 * @children:	the children; all of type @dir.type->child.
 *
 * @nr and @children change only with damon_sysfs_lock held.
 */
struct damon_sysfs_list {
	struct damon_sysfs_dir dir;
	unsigned int nr;
	struct damon_sysfs_dir **children;
};

static inline struct damon_sysfs_list *damon_sysfs_subdir_list(struct damon_sysfs_dir *dir,
							       unsigned int idx)
{
	return container_of(dir->subdirs[idx], struct damon_sysfs_list, dir);
}

ssize_t damon_sysfs_file_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf);
ssize_t damon_sysfs_file_store(struct kobject *kobj, struct kobj_attribute *attr,
			       const char *buf, size_t count);
ssize_t damon_sysfs_nr_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf);
ssize_t damon_sysfs_nr_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count);
int damon_sysfs_parse_keyword(const char * const *keywords, const char *buf);
struct damon_sysfs_dir *damon_sysfs_dir_create(const struct damon_sysfs_dir_type *type,
					       struct kobject *parent, const char *name,
					       void *obj);
void damon_sysfs_dir_destroy(struct damon_sysfs_dir *dir);
int damon_sysfs_list_resize(struct damon_sysfs_list *list, unsigned int nr);

/*
 * Table lines.  A field line names the object type and the member the file
 * shows; the build fails unless the member has the C type of the file type.
 * The member designator travels as the variadic argument of
 * __DAMON_SYSFS_OFFSET() only because checkpatch would otherwise count its
 * two uses as a side-effect risk, which a designator cannot have.
 */
#define __DAMON_SYSFS_OFFSET(type, ctype, ...)				\
	(offsetof(type, __VA_ARGS__) + BUILD_BUG_ON_ZERO(		\
		!__same_type(typeof_member(type, __VA_ARGS__), ctype)))

#define __DAMON_SYSFS_ATTR(_name, _mode, _show, _store)			\
	{								\
		.attr = { .name = _name,				\
			  .mode = VERIFY_OCTAL_PERMISSIONS(_mode) },	\
		.show = _show,						\
		.store = _store,					\
	}

/* Read-only (0400) field files keep the store: sysfs refuses to write them. */
#define __DAMON_SYSFS_FIELD(_ftype, _off, _name, _mode, _dflt, _min, _kw) \
	{								\
		.kattr = __DAMON_SYSFS_ATTR(_name, _mode,		\
				damon_sysfs_file_show, damon_sysfs_file_store), \
		.ftype = _ftype,					\
		.off = _off,						\
		.dflt = _dflt,						\
		.min = _min,						\
		.keywords = _kw,					\
	}

#define DAMON_SYSFS_ULONG(type, member, _name, _mode, _dflt)		\
	__DAMON_SYSFS_FIELD(DAMON_SYSFS_FT_ULONG,			\
			    __DAMON_SYSFS_OFFSET(type, unsigned long, member), \
			    _name, _mode, _dflt, 0, NULL)

/* An unsigned long file that refuses values below @_min with -EINVAL. */
#define DAMON_SYSFS_ULONG_MIN(type, member, _name, _mode, _dflt, _min)	\
	__DAMON_SYSFS_FIELD(DAMON_SYSFS_FT_ULONG,			\
			    __DAMON_SYSFS_OFFSET(type, unsigned long, member), \
			    _name, _mode, _dflt, _min, NULL)

#define DAMON_SYSFS_UINT(type, member, _name, _mode, _dflt)		\
	__DAMON_SYSFS_FIELD(DAMON_SYSFS_FT_UINT,			\
			    __DAMON_SYSFS_OFFSET(type, unsigned int, member), \
			    _name, _mode, _dflt, 0, NULL)

#define DAMON_SYSFS_INT(type, member, _name, _mode, _dflt)		\
	__DAMON_SYSFS_FIELD(DAMON_SYSFS_FT_INT,				\
			    __DAMON_SYSFS_OFFSET(type, int, member),	\
			    _name, _mode, _dflt, 0, NULL)

#define DAMON_SYSFS_BOOL(type, member, _name, _mode, _dflt)		\
	__DAMON_SYSFS_FIELD(DAMON_SYSFS_FT_BOOL,			\
			    __DAMON_SYSFS_OFFSET(type, bool, member),	\
			    _name, _mode, _dflt, 0, NULL)

/* @_dflt is an index into the NULL-terminated @_keywords. */
#define DAMON_SYSFS_KEYWORD(type, member, _name, _mode, _dflt, _keywords) \
	__DAMON_SYSFS_FIELD(DAMON_SYSFS_FT_KEYWORD,			\
			    __DAMON_SYSFS_OFFSET(type, unsigned int, member), \
			    _name, _mode, _dflt, 0, _keywords)

#define DAMON_SYSFS_CUSTOM(_name, _mode, _show, _store)			\
	{								\
		.kattr = __DAMON_SYSFS_ATTR(_name, _mode, _show, _store), \
		.ftype = DAMON_SYSFS_FT_CUSTOM,				\
	}

/* The count file of a struct damon_sysfs_list, e.g. "nr_targets". */
#define DAMON_SYSFS_NR(_name)						\
	DAMON_SYSFS_CUSTOM(_name, 0600, damon_sysfs_nr_show, damon_sysfs_nr_store)

/*
 * The monitoring part of the tree, built by sysfs.c.  The objects are shared
 * with the DAMOS part, which adds a "schemes" subdirectory to contexts.
 */

/* kdamonds/<K>/ */
struct damon_sysfs_kdamond {
	struct damon_sysfs_dir dir;
	unsigned int refresh_ms;
	/* the last context turned on; see damon_sysfs_ctx_lock in sysfs.c */
	struct damon_ctx *ctx;
	/* the refresh_ms work, queued on the kdamond of @ctx while it runs */
	struct damon_call_control refresh;
	unsigned long next_refresh;
};

/* Subdirectories of kdamonds/<K>/ */
enum {
	DAMON_SYSFS_KDAMOND_CONTEXTS,
};

/* contexts/<C>/, including everything under monitoring_attrs/ */
struct damon_sysfs_context {
	struct damon_sysfs_dir dir;
	unsigned int ops;	/* enum damon_ops_id */
	unsigned long addr_unit;
	struct damon_attrs attrs;
};

/* Subdirectories of contexts/<C>/, in creation order */
enum {
	DAMON_SYSFS_CTX_ATTRS,
	DAMON_SYSFS_CTX_TARGETS,
	DAMON_SYSFS_CTX_NR_SUBDIRS,
};

/* targets/<T>/ */
struct damon_sysfs_target {
	struct damon_sysfs_dir dir;
	int pid;
	bool obsolete;
};

/* Subdirectories of targets/<T>/ */
enum {
	DAMON_SYSFS_TARGET_REGIONS,
};

/* regions/<R>/ */
struct damon_sysfs_region {
	struct damon_sysfs_dir dir;
	unsigned long start;
	unsigned long end;
};

extern const char * const damon_sysfs_ops_keywords[];
extern const struct damon_sysfs_dir_type damon_sysfs_kdamond_type;
extern const struct damon_sysfs_dir_type damon_sysfs_context_type;

struct damon_ctx *damon_sysfs_build_ctx(struct damon_sysfs_context *sc);
int damon_sysfs_apply_addr_unit(struct damon_ctx *ctx, unsigned long addr_unit);
int damon_sysfs_check_ranges(const struct damon_addr_range *ranges, unsigned int nr);

#endif /* _MM_DAMON_SYSFS_COMMON_H */
